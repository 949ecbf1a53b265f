/** The HTTP front: faults, routing, body decoding, and Status responses. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { AuditLog } from './audit.ts';
import type { ApiResult, SimContext, Target, WriteOptions } from './context.ts';
import { deleteCollection, deleteObject, parseDeleteOptions } from './deletion.ts';
import type { Denials } from './denials.ts';
import type { Faults, RequestInfo } from './faults.ts';
import { openApiDocument } from './openapi.ts';
import { patchObject } from './patches.ts';
import { getObject, listObjects } from './reads.ts';
import { route } from './routes.ts';
import { getScale, patchScale, updateScale } from './scale.ts';
import { selfSubjectAccessReview } from './self-subject-access-review.ts';
import { selfSubjectReview } from './self-subject-review.ts';
import { parseFieldSelector, parseLabelSelector, selectorFor } from './selectors.ts';
import type { Selector } from './selectors.ts';
import {
  badRequest,
  failureStatus,
  internalError,
  KubeApiError,
  methodNotAllowed,
  unknownPath,
} from './status.ts';
import { asTable, wantsTable } from './table.ts';
import { startWatch, validateWatch } from './watch.ts';
import type { OpenWatch } from './watch.ts';
import { createObject, updateObject } from './writes.ts';

const MAX_BODY = 3 * 1024 * 1024;

/** What the handler needs from the server. */
export interface HandlerDeps {
  ctx: SimContext;
  faults: Faults;
  /** Authenticates bearer tokens and records what each user asked for. */
  audit: AuditLog;
  /** Requests a test forbade (answered 403 as RBAC would). */
  denials?: Denials;
  watches: Set<OpenWatch>;
  watchTimeoutSeconds: number;
  bookmarkIntervalMs: number;
  serverAddress(): string;
}

function sendJson(res: ServerResponse, result: ApiResult, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(result.body);
  const h: Record<string, string | string[]> = { 'Content-Type': 'application/json', ...headers };
  if (result.warnings.length > 0) h.Warning = result.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(result.code, h);
  res.end(payload);
}

function sendError(res: ServerResponse, err: unknown): void {
  const e =
    err instanceof KubeApiError ? err : internalError(err instanceof Error ? err.message : String(err));
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, { code: e.code, body: e.status, warnings: [] }, e.headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY)
      throw new KubeApiError(
        failureStatus(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'),
      );
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function decodeBody(raw: string, contentType: string): unknown {
  if (raw.trim() === '') return undefined;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  try {
    if (type === 'application/yaml') return parseYaml(raw) as unknown;
    if (type === '' || type === 'application/json' || type === '*/*') return JSON.parse(raw) as unknown;
  } catch (err) {
    throw badRequest(`error decoding request body: ${(err as Error).message}`);
  }
  throw new KubeApiError(
    failureStatus(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    ),
  );
}

function writeOptions(q: URLSearchParams): WriteOptions {
  const fv = q.get('fieldValidation');
  return {
    dryRun: q.getAll('dryRun').includes('All'),
    fieldManager: q.get('fieldManager') ?? undefined,
    fieldValidation: fv === 'Strict' || fv === 'Ignore' ? fv : 'Warn',
    force: q.get('force') === 'true',
  };
}

function isWatch(q: URLSearchParams): boolean {
  const w = q.get('watch');
  return w === 'true' || w === '1';
}

function selectorOf(target: Target, q: URLSearchParams): Selector {
  const labels = parseLabelSelector(q.get('labelSelector'));
  let fields = q.get('fieldSelector');
  if (target.name !== undefined)
    fields = [fields, `metadata.name=${target.name}`].filter((f) => f !== null && f !== '').join(',');
  return selectorFor(labels, parseFieldSelector(fields, target.type.selectableFields));
}

/** Creates the request listener. */
export function createHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      sendError(res, err);
    });
  };
}

async function handle(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  // As in kube-apiserver, authentication and the authorizer's view of a request come first: a
  // request that then fails (an injected fault, a 404) was still asked for.
  const user = deps.audit.authenticate(req.headers.authorization);
  const info: RequestInfo = { method, path: url.pathname, watch: isWatch(url.searchParams), user };
  const r = route(deps.ctx.registry, url.pathname);
  if (r.kind === 'resource') deps.audit.recordResource(user, method, r.target, info.watch);
  else deps.audit.recordNonResource(user, method, url.pathname);
  const latency = deps.faults.latencyFor(info);
  if (latency > 0) await new Promise((r) => setTimeout(r, latency));
  const injected = deps.faults.takeFailure(info);
  if (injected !== undefined) throw injected;
  if (r.kind === 'resource') deps.denials?.check(user, method, r.target, info.watch);
  const review = selfSubjectReview(method, url.pathname, user);
  if (review !== undefined) {
    sendJson(res, review);
    return;
  }
  if (url.pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
    const body = method === 'POST' ? (parseYaml(await readBody(req)) as unknown) : undefined;
    const access = selfSubjectAccessReview(method, url.pathname, user, body, deps.denials);
    if (access !== undefined) {
      sendJson(res, access);
      return;
    }
  }
  if (r.kind === 'resource') {
    await handleResource(deps, { req, res, target: r.target, query: url.searchParams });
    return;
  }
  if (method !== 'GET') throw methodNotAllowed(method);
  const openapi = openApiDocument(deps.ctx.registry, url.pathname);
  sendJson(res, { code: 200, body: openapi ?? discovery(deps, r), warnings: [] });
}

function discovery(deps: HandlerDeps, r: Exclude<ReturnType<typeof route>, { kind: 'resource' }>): object {
  const registry = deps.ctx.registry;
  let body: object | undefined;
  if (r.kind === 'discovery') {
    if (r.doc === 'version')
      body = { major: '1', minor: '32', gitVersion: 'v1.32.0-serin-sim', platform: 'linux/amd64' };
    else if (r.doc === 'health') body = { status: 'ok' };
    else if (r.doc === 'api') body = registry.coreVersions(deps.serverAddress());
    else body = registry.groupList();
  } else if (r.kind === 'group') {
    body = registry.group(r.group);
  } else if (r.kind === 'resourceList') {
    body = registry.resourceList(r.group, r.version);
  }
  if (body === undefined) throw unknownPath();
  return body;
}

interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  target: Target;
  query: URLSearchParams;
}

async function handleResource(deps: HandlerDeps, rr: ResourceRequest): Promise<void> {
  const { req, res, target, query } = rr;
  const method = (req.method ?? 'GET').toUpperCase();
  const contentType = req.headers['content-type'] ?? '';
  const raw = method === 'GET' ? '' : await readBody(req);
  const opts = writeOptions(query);
  const ctx = deps.ctx;
  if (method === 'GET' && isWatch(query)) {
    openWatch(deps, rr);
    return;
  }
  let result: ApiResult;
  if (target.subresource === 'scale') {
    result = scaleRequest(ctx, { target, method, contentType, raw, opts });
  } else if (target.name === undefined) {
    result = collectionRequest(deps, { ...rr, raw, opts, method, contentType });
  } else if (method === 'GET') {
    result = getObject(ctx, target);
  } else if (method === 'PUT') {
    result = updateObject(ctx, target, decodeBody(raw, contentType), opts);
  } else if (method === 'PATCH') {
    result = patchObject(ctx, target, contentType, raw, opts);
  } else if (method === 'DELETE' && target.subresource === undefined) {
    result = deleteObject(ctx, target, parseDeleteOptions(decodeBody(raw, 'application/json'), query), opts);
  } else {
    throw methodNotAllowed(method);
  }
  if (method === 'GET' && wantsTable(req.headers.accept)) result = asTable(result, target);
  sendJson(res, result);
}

function scaleRequest(
  ctx: SimContext,
  r: { target: Target; method: string; contentType: string; raw: string; opts: WriteOptions },
): ApiResult {
  if (r.method === 'GET') return getScale(ctx, r.target);
  if (r.method === 'PUT') return updateScale(ctx, r.target, decodeBody(r.raw, r.contentType), r.opts);
  if (r.method === 'PATCH') return patchScale(ctx, r.target, r.contentType, r.raw, r.opts);
  throw methodNotAllowed(r.method);
}

function collectionRequest(
  deps: HandlerDeps,
  rr: ResourceRequest & { raw: string; opts: WriteOptions; method: string; contentType: string },
): ApiResult {
  const { target, query, raw, opts, method, contentType } = rr;
  const allNamespaces = target.type.namespaced && target.namespace === undefined;
  if (method === 'GET') {
    const limit = query.get('limit');
    return listObjects(deps.ctx, target, selectorOf(target, query), {
      limit: limit === null ? undefined : Number(limit),
      continueToken: query.get('continue') ?? undefined,
    });
  }
  if (method === 'POST' && !allNamespaces)
    return createObject(deps.ctx, { target, body: decodeBody(raw, contentType), opts });
  if (method === 'DELETE' && !allNamespaces) {
    return deleteCollection(
      deps.ctx,
      target,
      selectorOf(target, query),
      parseDeleteOptions(decodeBody(raw, 'application/json'), query),
      opts,
    );
  }
  throw methodNotAllowed(method);
}

function openWatch(deps: HandlerDeps, rr: ResourceRequest): void {
  const { res, target, query } = rr;
  const timeout = query.get('timeoutSeconds');
  const timeoutSeconds = timeout === null ? deps.watchTimeoutSeconds : Number(timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)
    throw badRequest(`invalid timeoutSeconds: ${timeout ?? ''}`);
  const request = {
    target,
    selector: selectorOf(target, query),
    resourceVersion: query.get('resourceVersion') ?? undefined,
    allowBookmarks: query.get('allowWatchBookmarks') === 'true',
    sendInitialEvents: query.get('sendInitialEvents') === 'true',
    timeoutMs: (timeoutSeconds === 0 ? deps.watchTimeoutSeconds : timeoutSeconds) * 1000,
    bookmarkIntervalMs: deps.bookmarkIntervalMs,
  };
  validateWatch(request);
  const handle: OpenWatch = startWatch(deps.ctx, request, res, (w) => {
    deps.watches.delete(w);
  });
  if (handle.isOpen()) deps.watches.add(handle);
}
