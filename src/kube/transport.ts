import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  Watch,
  type KubeConfig,
} from './client-node.ts';

/** How long a request (not a watch) may wait for its response. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** A request that got no response within the transport's deadline. */
export class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** HTTP methods serin uses against the API server. */
export type KubeMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request, before retries. `body` is serialised as JSON (JSON is valid apply-patch YAML). */
export interface KubeRequest {
  method: KubeMethod;
  /** Path below the server URL, e.g. `/apis/serin.dev/v1alpha1/namespaces/a/canaries/b/status`. */
  path: string;
  query?: Record<string, string | undefined> | undefined;
  body?: unknown;
  /** Required whenever there is a body: serin never lets a library pick the patch type. */
  contentType?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** An HTTP response, any status. */
export interface KubeResponse {
  status: number;
  /** Parsed JSON, or the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
  headers: Record<string, string>;
}

/** One decoded watch line. */
export interface WatchEvent {
  type: string;
  object: unknown;
}

/** A running watch. `done` settles once the stream ends: null when it closed, an Error otherwise. */
export interface WatchHandle {
  /** True when the server accepted the watch (HTTP 200) and the stream was still open on return. */
  readonly connected: boolean;
  readonly done: Promise<Error | null>;
  abort(): void;
}

/**
 * The wire: the only seam between serin's Kubernetes adapters and the network. `send` rejects only
 * when no HTTP response arrived; every status code is a resolved response.
 */
export interface KubeTransport {
  send(req: KubeRequest): Promise<KubeResponse>;
  watch(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (event: WatchEvent) => void,
  ): Promise<WatchHandle>;
}

const METHODS: Record<KubeMethod, HttpMethod> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
  PATCH: HttpMethod.PATCH,
  DELETE: HttpMethod.DELETE,
};

/**
 * Sends requests through client-node's own HTTP stack (its kubeconfig authentication, TLS agent and
 * fetch), but builds the requests itself: client-node's KubernetesObjectApi cannot address
 * subresources such as `/status`, cannot take an AbortSignal per call, defaults patches to strategic
 * merge, and converts objects through typed models.
 */
export class ClientNodeTransport implements KubeTransport {
  readonly #kc: KubeConfig;
  readonly #server: string;
  readonly #http = new IsomorphicFetchHttpLibrary();
  readonly #watch: Watch;
  readonly #agents = new Map<string, HttpAgent>();
  readonly #timeoutMs: number;

  /**
   * `requestTimeoutMs` bounds every request but watches (default 60 s): a request whose bytes a
   * dead connection swallowed would otherwise hold its pass, and its worker, for ever.
   */
  constructor(kc: KubeConfig, options: { requestTimeoutMs?: number } = {}) {
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new Error('kubeconfig has no current cluster');
    this.#kc = kc;
    this.#server = cluster.server.replace(/\/+$/, '');
    this.#watch = new Watch(kc);
  }

  async send(req: KubeRequest): Promise<KubeResponse> {
    const ctx = new RequestContext(this.#server + req.path, METHODS[req.method]);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) ctx.setQueryParam(k, v);
    }
    ctx.setHeaderParam('Accept', 'application/json');
    if (req.body !== undefined) {
      ctx.setHeaderParam('Content-Type', req.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(req.body));
    }
    // One signal for the caller's and our deadline; the listener and the timer go with the request
    // (AbortSignal.any would tie each request to a fencing signal that lives for a whole term).
    const abort = new AbortController();
    const timer = setTimeout(() => {
      abort.abort();
    }, this.#timeoutMs);
    const follow = (): void => {
      abort.abort(req.signal?.reason);
    };
    if (req.signal?.aborted === true) follow();
    else req.signal?.addEventListener('abort', follow, { once: true });
    ctx.setSignal(abort.signal);
    try {
      await this.#kc.applySecurityAuthentication(ctx);
      const agent = ctx.getAgent();
      if (agent !== undefined) ctx.setAgent(this.#kept(agent));
      const res = await this.#http.send(ctx).toPromise();
      const text = await res.body.text();
      return { status: res.httpStatusCode, body: parseBody(text), headers: res.headers };
    } catch (err) {
      // Our deadline, not the caller's signal: say so (the client reports it as a Timeout).
      if (abort.signal.aborted && req.signal?.aborted !== true) {
        throw new RequestTimeoutError(`no response from the API server within ${this.#timeoutMs} ms`, {
          cause: err,
        });
      }
      throw err;
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', follow);
    }
  }

  /**
   * client-node's `applySecurityAuthentication` makes a new Agent for every request, so every request
   * opened a connection of its own (and, over HTTPS, made a TLS handshake of its own): at 150 status
   * writes a second that was most of the transport's CPU. The transport keeps one keep-alive agent
   * per set of TLS options (a rotated client certificate gets a new one) and lends it to every
   * request. Proxy agents, and anything else that is not a plain HTTP(S) Agent, are left as made.
   */
  #kept(made: HttpAgent): HttpAgent {
    const type =
      made.constructor === HttpsAgent ? 'https' : made.constructor === HttpAgent ? 'http' : undefined;
    if (type === undefined) return made;
    const options = (made as HttpAgent & { options: Record<string, unknown> }).options;
    const key = agentKey(type, options);
    let kept = this.#agents.get(key);
    if (kept === undefined) {
      // A credential rotated often must not grow the map for ever: the latest few sets are kept.
      if (this.#agents.size >= 8) this.#agents.clear();
      const shared = { ...options, keepAlive: true };
      kept = type === 'https' ? new HttpsAgent(shared) : new HttpAgent(shared);
      this.#agents.set(key, kept);
    }
    return kept;
  }

  async watch(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (event: WatchEvent) => void,
  ): Promise<WatchHandle> {
    let resolveDone: (err: Error | null) => void = () => undefined;
    const done = new Promise<Error | null>((resolve) => {
      resolveDone = resolve;
    });
    let ended = false;
    const settle = (err: Error | null): void => {
      ended = true;
      resolveDone(err);
    };
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params[k] = v;
    const controller = await this.#watch.watch(
      path,
      params,
      (type: string, object: unknown) => {
        onEvent({ type, object });
      },
      (err: unknown) => {
        settle(err === null || err === undefined ? null : toError(err));
      },
    );
    return {
      connected: !ended,
      done,
      abort: () => {
        controller.abort();
        settle(null);
      },
    };
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** The agent options that decide which connections may be shared, as one digest. */
function agentKey(type: string, options: Record<string, unknown>): string {
  const hash = createHash('sha256').update(type);
  for (const name of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername']) {
    const value = options[name];
    hash.update(`\0${name}=`);
    if (value === undefined || value === null) continue;
    hash.update(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value));
  }
  return hash.digest('hex');
}
