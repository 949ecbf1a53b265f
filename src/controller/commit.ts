import type { Canary, CanaryStatus } from '../api/index.ts';
import { CanaryNotifications } from '../api/notifications.ts';
import { computeConditions } from '../machine/index.ts';
import type { KubeObject } from '../kube/index.ts';
import type { PassDraft } from './act.ts';
import type { ReconcileContext } from './gather.ts';
import { SERIN_API } from './gather.ts';
import type { ReconcilerDeps } from './deps.ts';
import type { Notification } from '../ports/index.ts';
import { dedupe, passNotifications, stalledNotification } from './notifications.ts';

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
  const announced = announce(deps, ctx, canary, { status, draft });
  await deps.statusWriter.write(ctx.raw, announced.status, opts);
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
  // Handed over only once the status that records them as sent is written (see dedupe).
  if (canary.spec.notifications && announced.fresh.length > 0)
    deps.notifications?.publish(ctx.raw, canary.spec.notifications, announced.fresh);
  deps.metrics?.observeCanary(ctx.namespace, ctx.name, status.phase ?? 'Initializing', status.canaryWeight);
}

/**
 * The pass's notifications that were not sent before, and the status that records them as sent.
 * Nothing is computed for a Canary without `spec.notifications` or a controller without notifiers.
 */
function announce(
  deps: ReconcilerDeps,
  ctx: ReconcileContext,
  canary: Canary,
  pass: { status: CanaryStatus; draft: PassDraft },
): { fresh: Notification[]; status: CanaryStatus } {
  if (!deps.notifications || !canary.spec.notifications) return { fresh: [], status: pass.status };
  const all = passNotifications({
    canary,
    before: canary.status,
    after: pass.status,
    notices: pass.draft.notifications,
    events: pass.draft.events,
    templates: ctx.templates,
    now: deps.clock(),
  });
  return dedupe(canary.spec.notifications, pass.status, all);
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
  const stalled = problem.stalled
    ? stalledOf(deps, ctx, { status, reason: problem.reason, message, now })
    : undefined;
  await deps.statusWriter.write(
    ctx.raw,
    stalled?.status ?? status,
    deps.signal ? { signal: deps.signal } : {},
  );
  await deps.recorder.record(ctx.raw, { type: 'Warning', reason: problem.reason, message });
  if (stalled && stalled.fresh.length > 0 && stalled.subscriptions)
    deps.notifications?.publish(ctx.raw, stalled.subscriptions, stalled.fresh);
}

/**
 * A Stalled notification for a problem a person must fix, once per (revision, reason): the Canary
 * may be invalid, so its subscriptions are read leniently from the raw object.
 */
function stalledOf(
  deps: ReconcilerDeps,
  ctx: ReconcileContext,
  problem: { status: CanaryStatus; reason: string; message: string; now: number },
): { fresh: Notification[]; status: CanaryStatus; subscriptions?: CanaryNotifications } | undefined {
  if (!deps.notifications) return undefined;
  const parsed = CanaryNotifications.safeParse(
    (ctx.raw.spec as { notifications?: unknown } | undefined)?.notifications,
  );
  if (!parsed.success) return undefined;
  const canary = {
    apiVersion: SERIN_API,
    kind: 'Canary',
    metadata: { name: ctx.name, namespace: ctx.namespace },
    spec: { steps: stepsOf(ctx.raw), notifications: parsed.data },
  } as unknown as Canary;
  const notification = stalledNotification(canary, problem.status, problem, problem.now);
  return { ...dedupe(parsed.data, problem.status, [notification]), subscriptions: parsed.data };
}

function stepsOf(raw: KubeObject): unknown[] {
  const steps = (raw.spec as { steps?: unknown } | undefined)?.steps;
  return Array.isArray(steps) ? steps : [];
}
