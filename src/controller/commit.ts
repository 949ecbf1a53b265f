import type { Canary, CanaryStatus } from '../api/index.ts';
import { computeConditions } from '../machine/index.ts';
import type { KubeObject } from '../kube/index.ts';
import type { PassDraft } from './act.ts';
import type { ReconcileContext } from './gather.ts';
import { SERIN_API } from './gather.ts';
import type { ReconcilerDeps } from './deps.ts';

/**
 * Writes the pass's status in one merge patch to /status, then what follows from it: the Approvals'
 * own status, the Events and notifications. Those come after the status so that a failure never
 * marks an Approval applied that the Canary did not record.
 */
export async function commit(
  deps: ReconcilerDeps,
  ctx: ReconcileContext,
  canary: Canary,
  status: CanaryStatus,
  draft: PassDraft,
): Promise<void> {
  const opts = deps.signal ? { signal: deps.signal } : {};
  await deps.statusWriter.write(ctx.raw, status, opts);
  for (const decision of draft.approvals) {
    try {
      await deps.client.mergePatch(
        { apiVersion: SERIN_API, kind: 'Approval', namespace: ctx.namespace, name: decision.name },
        {
          status: {
            phase: decision.phase,
            appliedAt: decision.time,
            ...(decision.reason === undefined ? {} : { reason: decision.reason }),
          },
        },
        { ...opts, subresource: 'status' },
      );
    } catch (err) {
      // The Canary's audit trail already holds the decision; the Approval is not applied twice.
      deps.logger.warn({ err, approval: decision.name }, 'could not write the Approval status');
    }
  }
  for (const event of draft.events) await deps.recorder.record(ctx.raw, event);
  for (const notification of draft.notifications)
    deps.notify?.(canary, notification.kind, notification.message);
  deps.metrics?.observeCanary(ctx.namespace, ctx.name, status.phase ?? 'Initializing', status.canaryWeight);
}

/** A problem that stops a pass: what went wrong, where, and whether the Canary is stuck on it. */
export interface PassProblem {
  readonly reason: string;
  readonly field?: string;
  readonly message: string;
  /** True for problems that need a person (Stalled); false for ones a retry may clear (Reconciling). */
  readonly stalled: boolean;
}

/**
 * An invalid Canary, a missing target, VirtualService or template, or an effect that failed: say so
 * in the conditions and an Event, and leave traffic exactly where it is. The machine state is not
 * touched, so the next pass decides again from where this one started.
 */
export async function writeProblem(
  deps: ReconcilerDeps,
  ctx: ReconcileContext,
  problem: PassProblem,
  now: number,
): Promise<void> {
  const raw = ctx.raw as KubeObject & { status?: CanaryStatus };
  const previous = raw.status;
  const generation = raw.metadata.generation;
  const message =
    problem.field === undefined || problem.field === ''
      ? problem.message
      : `${problem.message} (${problem.field})`;
  const status: CanaryStatus = {
    ...previous,
    message,
    conditions: computeConditions({
      phase: previous?.phase ?? 'Initializing',
      generation,
      observedGeneration: generation,
      previous: previous?.conditions,
      now: new Date(now).toISOString(),
      message,
      ...(problem.stalled ? { invalid: { reason: problem.reason, message } } : {}),
    }),
  };
  await deps.statusWriter.write(ctx.raw, status, deps.signal ? { signal: deps.signal } : {});
  await deps.recorder.record(ctx.raw, { type: 'Warning', reason: problem.reason, message });
}
