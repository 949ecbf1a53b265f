/**
 * A fault proxy on 127.0.0.1 in front of a real Prometheus (issue 17). It passes queries through
 * until it has answered `after` of them, then injects one fault into every later answer, as a
 * Prometheus that breaks in the middle of an analysis would. The faults that are data (NaN, +Inf,
 * an empty result, a matrix or a string) are real Prometheus answers: the proxy rewrites the query
 * into one that makes Prometheus answer that way. The transport faults (down, slow, 5xx, an HTML
 * page, a partial body) are the proxy's own doing.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

/** The faults of issue 17, and `none` (the control: everything passes through). */
export const PROM_FAULTS = [
  'none',
  'down',
  'slow',
  '5xx',
  'html',
  'nan',
  'empty',
  'inf',
  'partial',
  'wrong-type',
] as const;
export type PromFault = (typeof PROM_FAULTS)[number];

/** Whether a fault is an answer without a number (the metric's `noData` policy) or a failed query (`onError`). */
export function faultClass(fault: PromFault): 'none' | 'noData' | 'error' {
  if (fault === 'none') return 'none';
  // +Inf is a number, but no evidence of health: it takes the noData policy (docs/analysis.md).
  if (fault === 'nan' || fault === 'empty' || fault === 'inf') return 'noData';
  return 'error';
}

export interface FaultPlan {
  readonly fault: PromFault;
  /** Queries answered normally before the fault starts. */
  readonly after: number;
  /** How long `slow` holds an answer, ms (longer than the metric's timeout). */
  readonly slowMs: number;
}

/** What the proxy did, for the figures and the oracle. */
export interface ProxyLog {
  passed: number;
  faulted: number;
  /** Which variant each faulted answer took (`503 json`, `truncated`, `cut`, `matrix`, …). */
  readonly variants: Map<string, number>;
}

export interface FaultProxy {
  readonly url: string;
  /** Starts a new run: passthrough until `plan.after` answers, then the fault. Listens again if down. */
  arm(plan: FaultPlan): Promise<void>;
  readonly log: ProxyLog;
  stop(): Promise<void>;
}

/** The canary's success rate, from the Istio metrics the scrape target serves for workload `podinfo`. */
const REQUESTS = 'istio_requests_total{reporter="destination",destination_workload="podinfo"';
export const SOAK_QUERY = `sum(rate(${REQUESTS},response_code!~"5.."}[3s])) / sum(rate(${REQUESTS}}[3s]))`;

const DATA_FAULTS: Partial<Record<PromFault, (variant: number) => [string, string]>> = {
  nan: () => ['vector(NaN)', 'NaN'],
  inf: () => ['vector(+Inf)', '+Inf'],
  empty: () => [`sum(rate(${REQUESTS},job="nowhere"}[3s]))`, 'empty vector'],
  'wrong-type': (variant) => (variant % 2 === 0 ? [`${REQUESTS}}[5s]`, 'matrix'] : ['"healthy"', 'string']),
};

/** Starts the proxy in front of `upstream` (a Prometheus base URL). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  let plan: FaultPlan = { fault: 'none', after: 0, slowMs: 0 };
  const log: ProxyLog = { passed: 0, faulted: 0, variants: new Map() };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Prometheus itself failed: say so as a gateway would, never as an answer.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${String(err)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  let listening = false;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        if (address !== null && typeof address === 'object') port = address.port;
        listening = true;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      if (!listening) {
        resolve();
        return;
      }
      listening = false;
      server.close(() => {
        resolve();
      });
      for (const socket of sockets) socket.destroy();
    });
  await listen();

  const note = (variant: string) => {
    log.faulted++;
    log.variants.set(variant, (log.variants.get(variant) ?? 0) + 1);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (log.passed < plan.after || plan.fault === 'none') {
      log.passed++;
      const answer = await forward(target, req, body);
      res.writeHead(answer.status, { 'content-type': answer.type });
      res.end(answer.body);
      // Down from the next query on: the port refuses connections.
      if (plan.fault === 'down' && log.passed === plan.after) void close();
      return;
    }
    const variant = log.faulted;
    switch (plan.fault) {
      case 'down':
        // A query that raced the close: cut it, as a dying process would.
        note('cut');
        req.socket.destroy();
        return;
      case 'slow': {
        note(`held ${plan.slowMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, plan.slowMs));
        const answer = await forward(target, req, body);
        if (!res.destroyed) res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
        return;
      }
      case '5xx': {
        const status = [500, 502, 503][variant % 3] ?? 503;
        if (variant % 2 === 0) {
          note(`${status} Prometheus error`);
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ status: 'error', errorType: 'internal', error: 'query engine unavailable' }),
          );
        } else {
          note(`${status} text`);
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end('upstream connect error or disconnect/reset before headers');
        }
        return;
      }
      case 'html':
        note('200 text/html');
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><head><title>Sign in</title></head><body>Please sign in</body></html>');
        return;
      case 'partial': {
        const answer = await forward(target, req, body);
        const half = answer.body.subarray(0, Math.max(1, Math.floor(answer.body.length / 2)));
        if (variant % 2 === 0) {
          // A complete HTTP answer whose JSON stops half way.
          note('truncated JSON');
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': half.length });
          res.end(half);
        } else {
          // The connection dies half way through the body it announced.
          note('connection cut mid-body');
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.body.length });
          res.write(half, () => {
            req.socket.destroy();
          });
        }
        return;
      }
      case 'nan':
      case 'inf':
      case 'empty':
      case 'wrong-type': {
        const [query, name] = DATA_FAULTS[plan.fault]?.(variant) ?? ['', ''];
        note(name);
        const answer = await forward(target, req, withQuery(req, body, query));
        res.writeHead(answer.status, { 'content-type': answer.type });
        res.end(answer.body);
        return;
      }
    }
  }

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    log,
    async arm(next) {
      plan = next;
      log.passed = 0;
      log.faulted = 0;
      log.variants.clear();
      if (!listening) await listen();
    },
    stop: close,
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

interface Forwarded {
  readonly path: string;
  readonly body: Buffer;
}

/** The same request with its PromQL replaced (GET parameter or POST form field). */
function withQuery(req: IncomingMessage, body: Buffer, query: string): Forwarded {
  const url = new URL(req.url ?? '/', 'http://proxy');
  if (url.searchParams.has('query')) url.searchParams.set('query', query);
  let next = body;
  if (body.length > 0) {
    const form = new URLSearchParams(body.toString());
    if (form.has('query')) form.set('query', query);
    next = Buffer.from(form.toString());
  }
  return { path: `${url.pathname}${url.search}`, body: next };
}

/** Sends the request (or a rewritten one) to Prometheus and reads its whole answer. */
function forward(
  upstream: URL,
  req: IncomingMessage,
  body: Buffer | Forwarded,
): Promise<{ status: number; type: string; body: Buffer }> {
  const out = Buffer.isBuffer(body) ? { path: req.url ?? '/', body } : body;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    const type = req.headers['content-type'];
    if (type !== undefined) headers['content-type'] = type;
    if (out.body.length > 0) headers['content-length'] = out.body.length;
    const upstreamReq = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: out.path, method: req.method, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          resolve({
            status: answer.statusCode ?? 502,
            type: answer.headers['content-type'] ?? 'application/json',
            body: Buffer.concat(chunks),
          });
        });
        answer.on('error', reject);
      },
    );
    upstreamReq.on('error', reject);
    upstreamReq.end(out.body);
  });
}
