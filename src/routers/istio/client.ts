import type { JsonPatchOp, VirtualService } from './types.ts';

/**
 * The narrow slice of the Kubernetes API the Istio router needs, for `networking.istio.io/v1`
 * VirtualServices. Implementations throw on failure; the thrown value should carry the HTTP
 * `status` (a number) like src/kube's `KubeError`, or a `code` of `NotFound`, `Conflict`,
 * `Invalid` or `Aborted`, so the router can tell a concurrent edit from a refusal.
 */
export interface VirtualServiceClient {
  /** Reads one VirtualService. */
  get(namespace: string, name: string, signal?: AbortSignal): Promise<VirtualService>;
  /** Sends an RFC 6902 JSON patch (`application/json-patch+json`); returns the stored object. */
  jsonPatch(
    namespace: string,
    name: string,
    ops: readonly JsonPatchOp[],
    signal?: AbortSignal,
  ): Promise<VirtualService>;
}

/** What a client failure means to the router. */
export type ClientFailure =
  | { readonly kind: 'notFound'; readonly message: string }
  /** 409, or 422 from a failed `test` op: the object changed underneath; re-read and re-plan. */
  | { readonly kind: 'changed'; readonly status: 409 | 422; readonly message: string }
  | { readonly kind: 'aborted'; readonly message: string }
  | { readonly kind: 'other'; readonly status: number | undefined; readonly message: string };

const BY_CODE: Record<string, number> = { NotFound: 404, Conflict: 409, Invalid: 422 };

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, statusCode, code } = err as { status?: unknown; statusCode?: unknown; code?: unknown };
  if (typeof status === 'number' && status > 0) return status;
  if (typeof statusCode === 'number' && statusCode > 0) return statusCode;
  return typeof code === 'string' ? BY_CODE[code] : undefined;
}

function isAbort(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { name, code } = err as { name?: unknown; code?: unknown };
  return name === 'AbortError' || code === 'Aborted';
}

/** Classifies anything a {@link VirtualServiceClient} threw. */
export function classifyFailure(err: unknown): ClientFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (isAbort(err)) return { kind: 'aborted', message };
  const status = statusOf(err);
  if (status === 404) return { kind: 'notFound', message };
  if (status === 409 || status === 422) return { kind: 'changed', status, message };
  return { kind: 'other', status, message };
}

/**
 * A client failure with an HTTP status, for {@link VirtualServiceClient} implementations that
 * talk HTTP directly (tests, the simulator).
 */
export class VirtualServiceClientError extends Error {
  override readonly name = 'VirtualServiceClientError';
  readonly status: number;
  readonly reason: string | undefined;

  constructor(status: number, message: string, reason?: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}
