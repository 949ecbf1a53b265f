import { describeKubeError, KubeError, type KubeErrorCode } from '../kube/index.ts';
import type { RouteErrorCode } from '../ports/traffic-router.ts';
import type { ReferenceProblem } from './references.ts';
import type { Invalid } from './validate.ts';

/**
 * Why an effect could not be carried out: a router's code, a copy serin keeps that someone else
 * made, or `Aborted` (fencing: leadership was lost, which is no failure).
 */
export type EffectErrorCode = RouteErrorCode | 'AutoscalerCopyConflict' | 'ConfigCopyConflict';

/** A Kubernetes API failure as a reason on the Canary: `Api` and the KubeError code (`ApiForbidden`). */
export type KubeFailureReason = `Api${Exclude<KubeErrorCode, 'Aborted' | 'Server'>}` | 'ApiServerError';

/** A problem with what the target refers to (its autoscaler, its ConfigMaps and Secrets). */
export type ReferenceReason = ReferenceProblem['reason'];

/**
 * Every reason a pass can fail with, as shown on the Canary's conditions, its Warning Events and the
 * `serin_reconcile_failures_total` metric's `reason` label (a closed set: the label's cardinality
 * is bounded). `Unexpected` is an error serin has no code for (a bug): its message says what.
 */
export type PassFailureReason =
  | Invalid['reason']
  | ReferenceReason
  | Exclude<EffectErrorCode, 'Aborted'>
  | KubeFailureReason
  | 'Unexpected';

/** Where in a pass a failure happened (the metric's `stage` label). */
export type PassStage =
  | 'gather'
  | 'validate'
  | 'finalizer'
  | 'workloads'
  | 'decide'
  | 'effects'
  | 'converge'
  | 'commit'
  | 'finalize';

/**
 * Failures a person must fix (the VirtualService, the Canary, a copy serin keeps, serin's RBAC):
 * they set Stalled. Every other reason sets Reconciling, and a retry may clear it. Both are retried
 * with backoff, so a fix is picked up without touching the Canary.
 */
export const CONFIGURATION_ERRORS: ReadonlySet<PassFailureReason> = new Set<PassFailureReason>([
  'RouteNotFound',
  'AmbiguousRoute',
  'AmbiguousDestination',
  'DestinationMissing',
  'InvalidWeights',
  'InvalidHost',
  'InvalidVirtualService',
  'NotFound',
  'Rejected',
  'AutoscalerCopyConflict',
  'ConfigCopyConflict',
  'ApiForbidden',
]);

/** What a failed pass shows: the reason, a sentence for people, and whether a person must act. */
export interface PassFailure {
  readonly reason: PassFailureReason;
  readonly message: string;
  readonly stalled: boolean;
}

/** An effect that could not be carried out; the pass stops and nothing of it is committed. */
export class EffectError extends Error {
  readonly code: EffectErrorCode;
  constructor(code: EffectErrorCode, message: string) {
    super(message);
    this.name = 'EffectError';
    this.code = code;
  }
}

/** The reason for a KubeError that is not fencing. */
export function kubeFailureReason(code: Exclude<KubeErrorCode, 'Aborted'>): KubeFailureReason {
  return code === 'Server' ? 'ApiServerError' : `Api${code}`;
}

/**
 * True when the pass stopped because this instance stopped leading (its fencing signal fired):
 * not a failure, and nothing may be written about it.
 */
export function isFenced(err: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted === true) return true;
  if (err instanceof EffectError || err instanceof KubeError) return err.code === 'Aborted';
  return false;
}

/** What any error a pass threw shows on the Canary. Call only for errors that are not fencing. */
export function classifyFailure(err: unknown): PassFailure {
  if (err instanceof EffectError) {
    const reason = err.code === 'Aborted' ? 'Unexpected' : err.code;
    return { reason, message: err.message, stalled: CONFIGURATION_ERRORS.has(reason) };
  }
  if (err instanceof KubeError) {
    const reason = err.code === 'Aborted' ? 'Unexpected' : kubeFailureReason(err.code);
    return { reason, message: describeKubeError(err), stalled: CONFIGURATION_ERRORS.has(reason) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { reason: 'Unexpected', message, stalled: false };
}
