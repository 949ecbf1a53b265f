import { backoffDelay, systemClock, type BackoffPolicy, type KubeClock } from './clock.ts';
import { KubeError, errorFromNetwork, errorFromResponse } from './errors.ts';
import { requestAttributes } from './request-attributes.ts';
import { ResourceResolver } from './resources.ts';
import type { KubeRequest, KubeResponse, KubeTransport } from './transport.ts';
import type { JsonPatchOp, KubeList, KubeObject, ObjectRef } from './types.ts';
import { refOf } from './types.ts';

/** The patch content types serin sends; always explicit (see KUBE-API.md, "Patch content types"). */
export const PatchContentType = {
  Merge: 'application/merge-patch+json',
  Json: 'application/json-patch+json',
  Apply: 'application/apply-patch+yaml',
} as const;

/** serin's field manager name for server-side apply. */
export const FIELD_MANAGER = 'serin';

/** Bounded retries for transient failures. */
export interface RetryPolicy {
  /** Total attempts, including the first. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** Upper bound on a server's `Retry-After`. */
  maxRetryAfterMs: number;
}

/** Options every call accepts. */
export interface CallOptions {
  /** Aborts the request; a request whose signal has already fired is never sent (fencing). */
  signal?: AbortSignal | undefined;
}

/** Options for patches. */
export interface PatchOptions extends CallOptions {
  subresource?: 'status' | undefined;
  /** Override whether 5xx/unreachable failures may be retried. */
  retry?: boolean | undefined;
}

/** Options for list calls. */
export interface ListOptions extends CallOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
}

/** Construction options for {@link KubeClient}. */
export interface KubeClientOptions {
  transport: KubeTransport;
  clock?: KubeClock;
  retry?: Partial<RetryPolicy>;
}

const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  backoff: { initialMs: 100, maxMs: 2000 },
  maxRetryAfterMs: 5000,
};

/**
 * Generic Kubernetes client for any apiVersion/kind: typed errors ({@link KubeError}), explicit patch
 * content types, an AbortSignal on every call, and bounded retries where repeating is safe.
 *
 * Retries: 429 always (the server did not process the request); 5xx and unreachable only for
 * requests that are safe to repeat (GET, PUT, DELETE, merge and apply patches, JSON patches without
 * non-idempotent ops). 409 is never retried here: callers re-read (see {@link retryOnConflict}).
 */
/** A write that succeeded: the object as stored afterwards, or the one deleted. */
export type KubeWrite =
  | { readonly type: 'written'; readonly object: KubeObject }
  | { readonly type: 'deleted'; readonly ref: ObjectRef };

export class KubeClient {
  readonly transport: KubeTransport;
  readonly resolver: ResourceResolver;
  readonly #clock: KubeClock;
  readonly #retry: RetryPolicy;
  readonly #writeListeners = new Set<(write: KubeWrite) => void>();

  constructor(opts: KubeClientOptions) {
    this.transport = opts.transport;
    this.resolver = new ResourceResolver(opts.transport);
    this.#clock = opts.clock ?? systemClock;
    this.#retry = { ...DEFAULT_RETRY, ...opts.retry };
  }

  /**
   * Calls `listener` after every successful write through this client (create, replace, patch,
   * delete), so a cache can tell when it has caught up with them. Returns a function that
   * unsubscribes. A listener that throws is ignored: it must not fail the write.
   */
  onWrite(listener: (write: KubeWrite) => void): () => void {
    this.#writeListeners.add(listener);
    return () => this.#writeListeners.delete(listener);
  }

  #written(result: unknown, deleted?: ObjectRef): unknown {
    const write: KubeWrite | undefined = deleted
      ? { type: 'deleted', ref: deleted }
      : isObject(result)
        ? { type: 'written', object: result }
        : undefined;
    if (write) {
      for (const listener of this.#writeListeners) {
        try {
          listener(write);
        } catch {
          // A listener is bookkeeping; the write itself succeeded.
        }
      }
    }
    return result;
  }

  /** Reads one object; throws KubeError `NotFound` when absent. */
  async get<T extends KubeObject = KubeObject>(ref: ObjectRef, opts: CallOptions = {}): Promise<T> {
    const path = await this.resolver.path(ref);
    return (await this.#call({ method: 'GET', path, signal: opts.signal }, true)) as T;
  }

  /** Reads one object; `undefined` when it does not exist. */
  async find<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    opts: CallOptions = {},
  ): Promise<T | undefined> {
    try {
      return await this.get<T>(ref, opts);
    } catch (err) {
      if (err instanceof KubeError && err.code === 'NotFound') return undefined;
      throw err;
    }
  }

  /** Lists a collection (following `continue` pages); the result carries the list resourceVersion. */
  async list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    opts: ListOptions = {},
  ): Promise<KubeList<T>> {
    const path = await this.resolver.path({ apiVersion, kind, namespace: opts.namespace });
    const items: T[] = [];
    let resourceVersion = '';
    let cont: string | undefined;
    do {
      const query = { labelSelector: opts.labelSelector, continue: cont };
      const page = (await this.#call({ method: 'GET', path, query, signal: opts.signal }, true)) as {
        items?: T[] | null;
        metadata?: { resourceVersion?: string; continue?: string };
      };
      // The list's items omit apiVersion/kind on a real server; restore them for callers.
      for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind });
      if (resourceVersion === '') resourceVersion = page.metadata?.resourceVersion ?? '';
      cont = page.metadata?.continue === '' ? undefined : page.metadata?.continue;
    } while (cont !== undefined);
    return { items, resourceVersion };
  }

  /** Creates an object (honours `metadata.generateName`). Not retried on 5xx: it is not idempotent. */
  async create<T extends KubeObject>(obj: T, opts: CallOptions = {}): Promise<T> {
    const path = await this.resolver.path({
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      namespace: obj.metadata.namespace,
    });
    const req: KubeRequest = {
      method: 'POST',
      path,
      body: obj,
      contentType: 'application/json',
      query: { fieldManager: FIELD_MANAGER },
      signal: opts.signal,
    };
    return this.#written(await this.#call(req, false)) as T;
  }

  /** Replaces an object (PUT). With `metadata.resourceVersion` set, a stale copy fails `Conflict`. */
  async replace<T extends KubeObject>(
    obj: T,
    opts: CallOptions & { subresource?: 'status' } = {},
  ): Promise<T> {
    const path = await this.resolver.path({ ...refOf(obj), subresource: opts.subresource });
    const req: KubeRequest = {
      method: 'PUT',
      path,
      body: obj,
      contentType: 'application/json',
      query: { fieldManager: FIELD_MANAGER },
      signal: opts.signal,
    };
    return this.#written(await this.#call(req, true)) as T;
  }

  /** Deletes an object. Returns false when it was already gone. */
  async delete(ref: ObjectRef, opts: CallOptions = {}): Promise<boolean> {
    const path = await this.resolver.path(ref);
    try {
      await this.#call({ method: 'DELETE', path, signal: opts.signal }, true);
      this.#written(undefined, ref);
      return true;
    } catch (err) {
      if (err instanceof KubeError && err.code === 'NotFound') return false;
      throw err;
    }
  }

  /** RFC 7386 merge patch. Include `metadata.resourceVersion` in the patch to make it conditional. */
  async mergePatch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    patch: Record<string, unknown>,
    opts: PatchOptions = {},
  ): Promise<T> {
    return this.#patch<T>(ref, patch, PatchContentType.Merge, { retry: true, ...opts });
  }

  /** RFC 6902 JSON patch. A failing `test` op comes back as KubeError `Invalid` (422). */
  async jsonPatch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    ops: readonly JsonPatchOp[],
    opts: PatchOptions = {},
  ): Promise<T> {
    return this.#patch<T>(ref, ops, PatchContentType.Json, {
      retry: isIdempotentJsonPatch(ops),
      ...opts,
    });
  }

  /**
   * Server-side apply as field manager `serin`. `obj` must carry apiVersion, kind and name, and only
   * the fields serin owns (note: Istio's lists are atomic, so applying one route claims the list).
   */
  async applyPatch<T extends KubeObject>(
    obj: KubeObject,
    opts: PatchOptions & { force?: boolean } = {},
  ): Promise<T> {
    const query = { fieldManager: FIELD_MANAGER, force: opts.force === true ? 'true' : undefined };
    return this.#patch<T>(refOf(obj), obj, PatchContentType.Apply, { retry: true, ...opts }, query);
  }

  async #patch<T>(
    ref: ObjectRef,
    body: unknown,
    contentType: string,
    opts: PatchOptions,
    query: Record<string, string | undefined> = { fieldManager: FIELD_MANAGER },
  ): Promise<T> {
    // Every write names serin as its field manager, so managedFields (and Argo CD's
    // managedFieldsManagers) can tell serin's weight edits from anyone else's.
    const path = await this.resolver.path({ ...ref, subresource: opts.subresource });
    const req: KubeRequest = { method: 'PATCH', path, body, contentType, query, signal: opts.signal };
    return this.#written(await this.#call(req, opts.retry === true)) as T;
  }

  /** Sends with bounded retries; returns the parsed 2xx body or throws KubeError. */
  async #call(req: KubeRequest, idempotent: boolean): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(req);
      if (!(outcome instanceof KubeError)) return outcome.body;
      const err = outcome;
      if (attempt >= this.#retry.maxAttempts || !retryable(err, idempotent)) throw err;
      const delay =
        err.retryAfterSeconds === undefined
          ? backoffDelay(this.#retry.backoff, attempt)
          : Math.min(err.retryAfterSeconds * 1000, this.#retry.maxRetryAfterMs);
      await this.#clock.sleep(delay, req.signal);
    }
  }

  async #attempt(req: KubeRequest): Promise<KubeResponse | KubeError> {
    // What the request was, so an error can name the verb and resource (a 403 above all).
    const attributes = requestAttributes(req.method, req.path, req.query);
    // Fencing: a write whose signal has fired must not reach the server at all.
    if (req.signal?.aborted === true) return errorFromNetwork(req.signal.reason, req.signal, attributes);
    let res: KubeResponse;
    try {
      res = await this.transport.send(req);
    } catch (err) {
      return errorFromNetwork(err, req.signal, attributes);
    }
    if (res.status >= 200 && res.status < 300) return res;
    return errorFromResponse(res.status, res.body, res.headers['retry-after'], attributes);
  }
}

function retryable(err: KubeError, idempotent: boolean): boolean {
  // 429: the server turned the request away unprocessed, so any request may be repeated.
  if (err.code === 'TooManyRequests') return true;
  return idempotent && (err.code === 'Server' || err.code === 'Timeout' || err.code === 'Unreachable');
}

/** True when applying `ops` twice leaves the same result as once (so a blind retry is safe). */
function isObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, metadata } = value as { kind?: unknown; metadata?: unknown };
  return typeof kind === 'string' && typeof metadata === 'object' && metadata !== null;
}

export function isIdempotentJsonPatch(ops: readonly JsonPatchOp[]): boolean {
  return ops.every(
    (op) => op.op === 'test' || op.op === 'replace' || (op.op === 'add' && !op.path.endsWith('/-')),
  );
}

/**
 * Runs `fn` again when it fails with `Conflict` (a stale resourceVersion), up to `attempts` times.
 * `fn` must re-read the object it modifies on every call, or the retry only repeats the conflict.
 */
export async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof KubeError) || err.code !== 'Conflict' || i >= attempts) throw err;
    }
  }
}
