import { describeRequest, type KubeRequestAttributes } from './request-attributes.ts';

/** Why a Kubernetes request failed, normalised from the HTTP status and the Status `reason`. */
export type KubeErrorCode =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Expired'
  | 'Unsupported'
  | 'Invalid'
  | 'TooManyRequests'
  | 'Server'
  | 'Timeout'
  | 'Unreachable'
  /** The caller's AbortSignal fired (for example, leadership was lost): the request was not sent or was cut. */
  | 'Aborted'
  | 'Unknown';

/** The fields of a Kubernetes `Status` object serin reads. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  reason?: string;
  message?: string;
  code?: number;
  details?: unknown;
}

/** A failed Kubernetes request. `status` is the HTTP status, or 0 when no response arrived. */
export class KubeError extends Error {
  override readonly name = 'KubeError';
  readonly code: KubeErrorCode;
  readonly status: number;
  /** The Status `reason` sent by the server, when there was one. */
  readonly reason: string | undefined;
  /** Seconds the server asked us to wait (429/503 `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;
  /** The verb and resource of the request that failed, when the client knew them. */
  readonly request: KubeRequestAttributes | undefined;

  constructor(opts: {
    code: KubeErrorCode;
    status: number;
    message: string;
    reason?: string | undefined;
    retryAfterSeconds?: number | undefined;
    request?: KubeRequestAttributes | undefined;
    cause?: unknown;
  }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = opts.code;
    this.status = opts.status;
    this.reason = opts.reason;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.request = opts.request;
  }
}

/**
 * A KubeError in words for people (a condition, an Event): a 403 names the verb and resource RBAC
 * refused (`forbidden: serin cannot patch deployments.apps "podinfo-primary" in namespace "team-a"`),
 * any other failure names the request and then what the server said.
 */
export function describeKubeError(err: KubeError): string {
  const request = err.request;
  if (err.code === 'Forbidden') {
    return request === undefined
      ? `forbidden: ${err.message}`
      : `forbidden: serin cannot ${describeRequest(request)}`;
  }
  const status = err.status === 0 ? err.code : `HTTP ${String(err.status)} ${err.code}`;
  const detail = `${err.message} (${status})`;
  return request === undefined ? detail : `${describeRequest(request)}: ${detail}`;
}

const BY_STATUS: Record<number, KubeErrorCode> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  415: 'Unsupported',
  422: 'Invalid',
  429: 'TooManyRequests',
  504: 'Timeout',
};

/** Maps an HTTP status and optional Status reason to a {@link KubeErrorCode}. */
export function codeFor(status: number, reason?: string): KubeErrorCode {
  // 409 carries two different meanings: a stale resourceVersion, or a create whose name is taken.
  if (status === 409 && reason === 'AlreadyExists') return 'AlreadyExists';
  const known = BY_STATUS[status];
  if (known !== undefined) return known;
  if (status >= 500) return 'Server';
  return 'Unknown';
}

/** Builds a KubeError from an HTTP response (status, parsed body if any, Retry-After header). */
export function errorFromResponse(
  status: number,
  body: unknown,
  retryAfter?: string,
  request?: KubeRequestAttributes,
): KubeError {
  const st = isStatus(body) ? body : undefined;
  const retryAfterSeconds = retryAfter === undefined ? undefined : Number.parseInt(retryAfter, 10);
  return new KubeError({
    code: codeFor(status, st?.reason),
    status,
    message: st?.message ?? `HTTP ${status}`,
    reason: st?.reason,
    retryAfterSeconds:
      retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) ? retryAfterSeconds : undefined,
    request,
  });
}

/** Wraps a transport-level failure (no HTTP response). */
export function errorFromNetwork(
  err: unknown,
  signal?: AbortSignal,
  request?: KubeRequestAttributes,
): KubeError {
  if (signal?.aborted === true || (err instanceof Error && err.name === 'AbortError')) {
    return new KubeError({ code: 'Aborted', status: 0, message: 'request aborted', request, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  // The transport's own deadline (src/kube/transport.ts): the server may have the request.
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new KubeError({ code: 'Timeout', status: 0, message, request, cause: err });
  }
  return new KubeError({ code: 'Unreachable', status: 0, message, request, cause: err });
}

/** True when `body` looks like a Kubernetes Status object. */
export function isStatus(body: unknown): body is KubeStatus {
  return typeof body === 'object' && body !== null && (body as KubeStatus).kind === 'Status';
}

/** True for a KubeError with one of the given codes. */
export function isKubeError(err: unknown, ...codes: KubeErrorCode[]): err is KubeError {
  return err instanceof KubeError && (codes.length === 0 || codes.includes(err.code));
}
