/**
 * Watch streams: newline-delimited JSON events, resume from a resourceVersion, 410 Expired as an
 * ERROR event on HTTP 200, BOOKMARKs, selector filtering (with ADDED/DELETED when an object
 * starts or stops matching), and a server-side timeout.
 */
import type { ServerResponse } from 'node:http';
import type { SimContext, Target } from './context.ts';
import type { Selector } from './selectors.ts';
import { badRequest, failureStatus } from './status.ts';
import type { StoredEvent } from './store.ts';
import { apiVersionOf } from './types.ts';
import type { KubeObject, ResourceType } from './types.ts';

/** Parameters of a watch request. */
export interface WatchRequest {
  target: Target;
  selector: Selector;
  resourceVersion: string | undefined;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutMs: number;
  bookmarkIntervalMs: number;
}

/** An open watch the server can close. */
export interface OpenWatch {
  close(): void;
  bookmark(): void;
  isOpen(): boolean;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * The last object serialized for a watch, as served at one version. A store event is delivered to
 * every watch of its type in one synchronous loop, so watches of the same version share one
 * serialization; stored objects are never changed in place, so the object identifies its JSON.
 * At 10,000 objects a copy and a stringify per watch and event were most of a write's cost.
 */
let last: { object: KubeObject; version: string; text: string } | undefined;

function jsonAs(o: KubeObject, type: ResourceType, version: string): string {
  if (last?.object === o && last.version === version) return last.text;
  // toServed without its deep copy: the spread object is only serialized, never kept.
  const text = JSON.stringify({ ...o, apiVersion: apiVersionOf(type.group, version), kind: type.kind });
  last = { object: o, version, text };
  return text;
}

function parseRv(value: string): number {
  if (!/^\d+$/.test(value))
    throw badRequest(`resourceVersion: Invalid value: "${value}": must be a valid resourceVersion`);
  return Number(value);
}

/** Checks a watch request before any header is written (so bad input is a normal error response). */
export function validateWatch(req: WatchRequest): void {
  if (req.resourceVersion !== undefined && req.resourceVersion !== '') parseRv(req.resourceVersion);
}

/** Streams a watch on `res`; returns a handle, registered until the stream ends. */
export function startWatch(
  ctx: SimContext,
  req: WatchRequest,
  res: ServerResponse,
  onEnd: (w: OpenWatch) => void,
): OpenWatch {
  const { target, selector } = req;
  const ns = target.type.namespaced ? target.namespace : undefined;
  const inScope = (o: KubeObject): boolean => ns === undefined || o.metadata.namespace === ns;
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  let open = true;
  const write = (type: EventType, object: object): void => {
    if (open) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  // Same bytes as write(type, toServed(o)): JSON.stringify({type, object}) with the object's JSON inlined.
  const writeObject = (type: EventType, o: KubeObject): void => {
    if (open) res.write(`{"type":"${type}","object":${jsonAs(o, target.type, target.version)}}\n`);
  };
  const bookmark = (rv: number, initialEnd = false): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    write('BOOKMARK', {
      kind: target.type.kind,
      apiVersion: apiVersionOf(target.type.group, target.version),
      metadata,
    });
  };
  const deliver = (e: StoredEvent): void => {
    if (!inScope(e.object)) return;
    const now = selector(e.object);
    const before = e.previous === undefined ? undefined : selector(e.previous);
    if (e.type === 'MODIFIED' && before === true && !now) writeObject('DELETED', e.object);
    else if (e.type === 'MODIFIED' && before === false && now) writeObject('ADDED', e.object);
    else if (now) writeObject(e.type, e.object);
  };
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let unsubscribe = (): void => undefined;
  const close = (): void => {
    if (!open) return;
    open = false;
    unsubscribe();
    clearTimeout(timeoutTimer);
    clearTimeout(bookmarkTimer);
    res.end();
    onEnd(handle);
  };
  const handle: OpenWatch = {
    close,
    isOpen: () => open,
    bookmark: () => {
      if (req.allowBookmarks && open) bookmark(ctx.store.currentRv());
    },
  };
  const timeoutTimer = setTimeout(close, req.timeoutMs);
  res.on('close', close);

  const rvText = req.resourceVersion ?? '';
  const fromState = rvText === '' || rvText === '0' || req.sendInitialEvents;
  let backlog: StoredEvent[] = [];
  if (!fromState) {
    const since = ctx.store.eventsSince(target.type, parseRv(rvText));
    if (since === 'expired') {
      const oldest = ctx.store.oldestResumable(target.type);
      write('ERROR', failureStatus(410, 'Expired', `too old resource version: ${rvText} (${oldest})`));
      close();
      return handle;
    }
    backlog = since;
  }
  // Replay and subscription happen in one synchronous step, so no event falls between them.
  if (fromState) {
    for (const o of ctx.store.view(target.type, ns)) if (selector(o)) writeObject('ADDED', o);
    if (req.sendInitialEvents && req.allowBookmarks) bookmark(ctx.store.currentRv(), true);
  }
  for (const e of backlog) deliver(e);
  unsubscribe = ctx.store.subscribe(target.type, deliver);

  if (req.allowBookmarks) {
    const tick = (): void => {
      bookmark(ctx.store.currentRv());
      bookmarkTimer = setTimeout(tick, req.bookmarkIntervalMs);
    };
    bookmarkTimer = setTimeout(tick, req.bookmarkIntervalMs);
  }
  return handle;
}
