import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeClient } from '../kube/index.ts';
import type { ActionAnswer, ActionRequest, DashboardAction, SessionInfo } from './api-types.ts';
import type { Assets } from './bundle.ts';
import { readTemplates, streamDetail } from './detail-stream.ts';
import { metricHistory } from './history.ts';
import { CanaryFeed } from './live.ts';
import { checkHost, checkStateChange, newCsrfToken, SECURITY_HEADERS } from './security.ts';

/** Creates an Approval as the user: `serin promote` and its siblings' own code path, given by the CLI. */
export type ActFn = (request: {
  namespace: string;
  name: string;
  action: DashboardAction;
  reason: string;
  signal: AbortSignal;
}) => Promise<{ status: number; answer: ActionAnswer }>;

export interface DashboardOptions {
  readonly client: KubeClient;
  /** One namespace, or undefined for all (-A). */
  readonly namespace: string | undefined;
  readonly address: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly session: Omit<SessionInfo, 'namespace'>;
  readonly act: ActFn;
  readonly assets: Assets;
  readonly now?: () => number;
}

export interface RunningDashboard {
  readonly url: string;
  /** The session's CSRF token (tests use it to prove that a request with it passes). */
  readonly csrfToken: string;
  stop(): Promise<void>;
}

const ACTIONS: readonly DashboardAction[] = ['Promote', 'PromoteFull', 'Abort', 'Retry', 'Pause', 'Resume'];
const MAX_BODY = 16 * 1024;
const MAX_REASON = 1024;
const HEARTBEAT_MS = 15_000;

function escapeAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function indexHtml(token: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="serin-csrf" content="${escapeAttr(token)}">
<title>serin dashboard</title>
<link rel="stylesheet" href="/app.css">
<script type="module" src="/app.js"></script>
</head>
<body>
<div id="app"><p class="loading">Loading the serin dashboard…</p></div>
<noscript><p>The serin dashboard needs JavaScript.</p></noscript>
</body>
</html>
`;
}

/** An answer to write, or `streaming` when the route keeps the response open itself. */
type Reply = { status: number; type: string; body: string } | 'streaming';

function json(status: number, body: unknown): Reply {
  return { status, type: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

function fail(status: number, message: string): Reply {
  return json(status, { ok: false, error: message });
}

function write(res: ServerResponse, reply: Reply): void {
  if (reply === 'streaming') return;
  res.writeHead(reply.status, {
    ...SECURITY_HEADERS,
    'Content-Type': reply.type,
    'Content-Length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new RangeError(`request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

function parseAction(body: unknown): ActionRequest | string {
  const { action, reason } = (body ?? {}) as { action?: unknown; reason?: unknown };
  if (typeof action !== 'string' || !ACTIONS.includes(action as DashboardAction))
    return `action must be one of ${ACTIONS.join(', ')}`;
  if (reason !== undefined && typeof reason !== 'string') return 'reason must be text';
  const text = (reason ?? '').trim();
  if (text.length > MAX_REASON) return `reason is over ${MAX_REASON} characters`;
  return { action: action as DashboardAction, reason: text };
}

/** Opens a server-sent event stream; returns its writer and a signal that fires when the page leaves. */
function openStream(
  req: IncomingMessage,
  res: ServerResponse,
): { write: (data: unknown) => void; signal: AbortSignal } {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/event-stream; charset=utf-8',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const gone = new AbortController();
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const close = (): void => {
    clearInterval(heartbeat);
    gone.abort();
  };
  req.on('close', close);
  res.on('close', close);
  return {
    write: (data) => {
      if (!gone.signal.aborted) res.write(`data: ${JSON.stringify(data)}\n\n`);
    },
    signal: gone.signal,
  };
}

interface Context {
  readonly opts: DashboardOptions;
  readonly feed: CanaryFeed;
  readonly token: string;
  readonly port: () => number;
  readonly stopping: AbortSignal;
}

const CANARY_PATH = /^\/api\/canaries\/([a-z0-9-]{1,63})\/([a-z0-9.-]{1,253})\/(stream|history|actions)$/;

/** The page, its assets, the session and the list stream: everything that is not about one Canary. */
function servePage(ctx: Context, req: IncomingMessage, res: ServerResponse, path: string): Reply | undefined {
  switch (path) {
    case '/':
    case '/index.html':
      return { status: 200, type: 'text/html; charset=utf-8', body: indexHtml(ctx.token) };
    case '/app.js':
      return { status: 200, type: 'text/javascript; charset=utf-8', body: ctx.opts.assets.js };
    case '/app.css':
      return { status: 200, type: 'text/css; charset=utf-8', body: ctx.opts.assets.css };
    case '/api/session':
      return json(200, { ...ctx.opts.session, namespace: ctx.opts.namespace ?? null } satisfies SessionInfo);
    case '/api/canaries/stream': {
      const stream = openStream(req, res);
      const unsubscribe = ctx.feed.subscribe(stream.write);
      stream.signal.addEventListener('abort', unsubscribe, { once: true });
      return 'streaming';
    }
    default:
      return undefined;
  }
}

/** Host first (DNS rebinding), then, for anything that is not a read, same origin and the CSRF token. */
function refusal(ctx: Context, req: IncomingMessage, reading: boolean): Reply | undefined {
  const host = checkHost(req.headers, ctx.opts.address, ctx.port());
  if (host !== undefined) return fail(host.status, host.message);
  if (reading) return undefined;
  const refused = checkStateChange(req.headers, {
    token: ctx.token,
    address: ctx.opts.address,
    port: ctx.port(),
  });
  return refused === undefined ? undefined : fail(refused.status, refused.message);
}

async function route(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<Reply> {
  const method = req.method ?? 'GET';
  const reading = method === 'GET' || method === 'HEAD';
  const refused = refusal(ctx, req, reading);
  if (refused !== undefined) return refused;
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  const page = reading ? servePage(ctx, req, res, url.pathname) : undefined;
  if (page !== undefined) return page;
  return routeCanary(ctx, { req, res, method, reading, url });
}

/** `/api/canaries/<namespace>/<name>/(stream|history|actions)`. */
async function routeCanary(
  ctx: Context,
  r: { req: IncomingMessage; res: ServerResponse; method: string; reading: boolean; url: URL },
): Promise<Reply> {
  const { req, res, method, reading, url } = r;
  const match = CANARY_PATH.exec(url.pathname);
  if (match === null) return fail(404, `no such page or API: ${method} ${url.pathname}`);
  const [, namespace = '', name = '', what] = match;
  if (!ctx.feed.covers(namespace)) {
    return fail(
      404,
      `this dashboard shows namespace "${ctx.opts.namespace ?? ''}" only (serin dashboard -A shows all)`,
    );
  }
  if (what === 'actions') {
    return method === 'POST' ? act(ctx, { req, namespace, name }) : fail(405, 'actions are POSTed');
  }
  if (!reading) return fail(405, `${method} is not allowed here`);
  if (what === 'history')
    return history(ctx, { namespace, name, metric: url.searchParams.get('metric') ?? '' });
  await detail(ctx, { req, res, namespace, name });
  return 'streaming';
}

async function detail(
  ctx: Context,
  target: { req: IncomingMessage; res: ServerResponse; namespace: string; name: string },
): Promise<void> {
  const stream = openStream(target.req, target.res);
  await streamDetail({
    client: ctx.opts.client,
    feed: ctx.feed,
    namespace: target.namespace,
    name: target.name,
    send: stream.write,
    signal: AbortSignal.any([stream.signal, ctx.stopping]),
    ...(ctx.opts.now === undefined ? {} : { now: ctx.opts.now }),
  });
  target.res.end();
}

async function history(
  ctx: Context,
  target: { namespace: string; name: string; metric: string },
): Promise<Reply> {
  const canary = ctx.feed.canary(target.namespace, target.name);
  if (canary === undefined)
    return fail(404, `Canary "${target.name}" not found in namespace "${target.namespace}"`);
  const { templates } = await readTemplates(ctx.opts.client, canary, ctx.stopping);
  const now = (ctx.opts.now ?? Date.now)();
  return json(200, await metricHistory({ canary, templates, metric: target.metric, now }));
}

async function act(
  ctx: Context,
  target: { req: IncomingMessage; namespace: string; name: string },
): Promise<Reply> {
  const { req } = target;
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return fail(415, 'actions are sent as application/json');
  }
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (err) {
    return fail(400, `unreadable request: ${err instanceof Error ? err.message : String(err)}`);
  }
  const request = parseAction(body);
  if (typeof request === 'string') return fail(400, request);
  const { status, answer } = await ctx.opts.act({
    namespace: target.namespace,
    name: target.name,
    action: request.action,
    reason: request.reason,
    signal: ctx.stopping,
  });
  return json(status, answer);
}

/**
 * Starts the dashboard: the page, its assets, and the JSON and server-sent-event API, backed by the
 * user's own Kubernetes client. It binds to `address` (loopback unless the user says otherwise).
 */
export async function startDashboard(opts: DashboardOptions): Promise<RunningDashboard> {
  const token = newCsrfToken();
  const stopping = new AbortController();
  const feed = new CanaryFeed({
    client: opts.client,
    namespace: opts.namespace,
    ...(opts.now === undefined ? {} : { now: opts.now }),
  });
  await feed.start(stopping.signal);
  let port = opts.port;
  const ctx: Context = { opts, feed, token, port: () => port, stopping: stopping.signal };
  const server = createServer((req, res) => {
    route(ctx, req, res).then(
      (reply) => {
        write(res, reply);
      },
      (err: unknown) => {
        // A bug, or the API failing in a way no route expected: said to the page, never a hung request.
        const message = err instanceof Error ? err.message : String(err);
        if (res.headersSent) res.end();
        else write(res, fail(500, `dashboard error: ${message}`));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const host = opts.address.includes(':') ? `[${opts.address}]` : opts.address;
  return {
    url: `http://${host}:${port}/`,
    csrfToken: token,
    stop: async () => {
      stopping.abort();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      await feed.stop();
    },
  };
}
