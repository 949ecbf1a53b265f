import { isStatus } from './errors.ts';
import type { ObjectStore } from './object-store.ts';
import type { KubeTransport, WatchEvent } from './transport.ts';
import type { KubeObject } from './types.ts';

/** How one watch connection ended. */
export type WatchOutcome =
  | { kind: 'closed'; events: number; resourceVersion: string | undefined }
  /** 410: the resourceVersion is older than the server's history; the caller must re-list. */
  | { kind: 'expired'; events: number; resourceVersion: string | undefined }
  | {
      kind: 'error';
      events: number;
      resourceVersion: string | undefined;
      error: unknown;
      /** HTTP status or ERROR-event code; undefined for a network failure. */
      status: number | undefined;
    };

/** Inputs of {@link watchOnce}. */
export interface WatchOnceOptions<T extends KubeObject> {
  transport: KubeTransport;
  path: string;
  query: Record<string, string | undefined>;
  store: ObjectStore<T>;
  /** Receives the function that cuts this watch (for stop()). */
  setAbort: (abort: () => void) => void;
  /** Called once the server has accepted the watch. */
  onConnected?: () => void;
  /**
   * Cut the watch after this long even if the server has not closed it: a peer that vanished
   * without closing the TCP connection would otherwise leave the informer silently stale.
   */
  maxDurationMs?: number;
}

/** Runs one watch connection, applying its events to `store`, and reports how it ended. */
export async function watchOnce<T extends KubeObject>(opts: WatchOnceOptions<T>): Promise<WatchOutcome> {
  let rv: string | undefined;
  let events = 0;
  let failure: { code: number; message: string } | undefined;
  let abort: () => void = () => undefined;
  const onEvent = (e: WatchEvent): void => {
    if (failure !== undefined) return;
    if (e.type === 'ERROR') {
      const st = isStatus(e.object) ? e.object : {};
      failure = { code: st.code ?? 500, message: st.message ?? 'watch ERROR event' };
      abort();
      return;
    }
    const obj = e.object as T;
    const objRv = obj.metadata.resourceVersion;
    events++;
    if (e.type === 'ADDED' || e.type === 'MODIFIED') opts.store.upsert(obj);
    else if (e.type === 'DELETED') opts.store.remove(obj);
    // BOOKMARK only moves the resourceVersion forward.
    if (objRv !== undefined && objRv !== '') rv = objRv;
  };
  let ended: Error | null;
  try {
    const handle = await opts.transport.watch(opts.path, opts.query, onEvent);
    abort = () => {
      handle.abort();
    };
    opts.setAbort(abort);
    if (failure !== undefined) handle.abort();
    else if (handle.connected) opts.onConnected?.();
    const guard = opts.maxDurationMs === undefined ? undefined : setTimeout(abort, opts.maxDurationMs);
    ended = await handle.done;
    clearTimeout(guard);
  } catch (err) {
    ended = err instanceof Error ? err : new Error(String(err));
  }
  return classify({ failure, ended, events, rv });
}

function classify(r: {
  failure: { code: number; message: string } | undefined;
  ended: Error | null;
  events: number;
  rv: string | undefined;
}): WatchOutcome {
  const base = { events: r.events, resourceVersion: r.rv };
  const status = r.failure?.code ?? httpStatusOf(r.ended);
  if (status === 410) return { kind: 'expired', ...base };
  if (r.failure !== undefined) {
    return { kind: 'error', ...base, status, error: new Error(r.failure.message) };
  }
  if (r.ended === null || r.ended.name === 'AbortError') return { kind: 'closed', ...base };
  return { kind: 'error', ...base, status, error: r.ended };
}

function httpStatusOf(err: Error | null): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}
