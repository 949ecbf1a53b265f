/**
 * Kubernetes `Status` objects and the error class the simulator throws internally; every failure
 * the simulator answers is one of these, shaped the way a real kube-apiserver shapes them.
 */

/** One field-level cause of a 422 `Invalid` (or a 409 `Conflict` with details). */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** The `details` block of a Status. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A Kubernetes `Status` object (`kind: Status`, `apiVersion: v1`). */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** The reasons the simulator answers with (a subset of metav1.StatusReason). */
export type StatusReason =
  | 'BadRequest'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'UnsupportedMediaType'
  | 'MethodNotAllowed'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Forbidden'
  | 'Unauthorized'
  | 'RequestEntityTooLarge'
  | 'NotAcceptable';

/** Builds a failure Status. */
export function failureStatus(
  code: number,
  reason: StatusReason,
  message: string,
  details?: StatusDetails,
): KubeStatus {
  const status: KubeStatus = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details !== undefined) status.details = details;
  return status;
}

/** An error that the HTTP layer turns into a Status response; `code` is the HTTP status. */
export class KubeApiError extends Error {
  readonly code: number;
  readonly status: KubeStatus;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(status: KubeStatus, headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? 'error');
    this.name = 'KubeApiError';
    this.code = status.code;
    this.status = status;
    this.headers = headers;
  }
}

/** Identifies a resource in error messages: `deployments.apps`, `services`, `canaries.serin.dev`. */
export interface ResourceRef {
  group: string;
  plural: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group === '' ? ref.plural : `${ref.plural}.${ref.group}`;
}

/** 404 for a named object, with the message kube-apiserver uses. */
export function notFound(ref: ResourceRef, name: string): KubeApiError {
  return new KubeApiError(
    failureStatus(404, 'NotFound', `${qualified(ref)} "${name}" not found`, {
      name,
      group: ref.group,
      kind: ref.plural,
    }),
  );
}

/** 404 for a path that names no resource. */
export function unknownPath(): KubeApiError {
  return new KubeApiError(
    failureStatus(404, 'NotFound', 'the server could not find the requested resource', {}),
  );
}

/** 409 AlreadyExists on create. */
export function alreadyExists(ref: ResourceRef, name: string): KubeApiError {
  return new KubeApiError(
    failureStatus(409, 'AlreadyExists', `${qualified(ref)} "${name}" already exists`, {
      name,
      group: ref.group,
      kind: ref.plural,
    }),
  );
}

/** The message kube-apiserver sends with an optimistic-concurrency failure. */
export const CONFLICT_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

/** 409 Conflict on a stale resourceVersion (or a failed precondition). */
export function conflict(ref: ResourceRef, name: string, why: string = CONFLICT_MESSAGE): KubeApiError {
  return new KubeApiError(
    failureStatus(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(ref)} "${name}": ${why}`, {
      name,
      group: ref.group,
      kind: ref.plural,
    }),
  );
}

/** 422 Invalid naming each offending field, formatted like kube-apiserver's field errors. */
export function invalid(
  ref: ResourceRef & { kind: string },
  name: string,
  causes: StatusCause[],
): KubeApiError {
  const kindQualified = ref.group === '' ? ref.kind : `${ref.kind}.${ref.group}`;
  const list = causes.map((c) => (c.field === undefined ? c.message : `${c.field}: ${c.message}`));
  const summary = list.length === 1 ? (list[0] ?? '') : `[${list.join(', ')}]`;
  return new KubeApiError(
    failureStatus(422, 'Invalid', `${kindQualified} "${name}" is invalid: ${summary}`, {
      name,
      group: ref.group,
      kind: ref.kind,
      causes,
    }),
  );
}

/** 400 BadRequest. */
export function badRequest(message: string): KubeApiError {
  return new KubeApiError(failureStatus(400, 'BadRequest', message));
}

/** 415 UnsupportedMediaType, listing the patch types this resource accepts. */
export function unsupportedMediaType(accepted: readonly string[]): KubeApiError {
  return new KubeApiError(
    failureStatus(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    ),
  );
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(method: string): KubeApiError {
  return new KubeApiError(
    failureStatus(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource (${method})`,
    ),
  );
}

/** 500 InternalError. */
export function internalError(message: string): KubeApiError {
  return new KubeApiError(failureStatus(500, 'InternalError', message));
}
