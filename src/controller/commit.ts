import type { Canary, CanaryStatus } from '../api/index.ts';
import { CanaryNotifications } from '../api/notifications.ts';
import { computeConditions } from '../machine/index.ts';
import type { KubeObject } from '../kube/index.ts';
import type { PassDraft } from './act.ts';
import type { ReconcileContext } from './gather.ts';
import { SERIN_API } from './gather.ts';
import { liveReader } from './cluster-reader.ts';
import type { ReconcilerDeps } from './deps.ts';
import type { Notification } from '../ports/index.ts';
import { dedupe, passNotifications, stalledNotification } from './notifications.ts';
import { classifyFailure, isFenced, type PassFailureReason, type PassStage } from './failures.ts';

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
  readonly reason: PassFailureReason;
  readonly field?: string;
  readonly message: string;
  /** True for problems that need a person (Stalled); false for ones a retry may clear (Reconciling). */
  readonly stalled: boolean;
  /** Where in the pass it happened (the metric's `stage` label). */
  readonly stage: PassStage;
}

/** The Canary a problem is about: as read by the pass. */
type ProblemTarget = Pick<ReconcileContext, 'raw' | 'name' | 'namespace'>;

/**
 * An invalid Canary, a missing target, VirtualService or template, or a pass that failed: say so in
 * the conditions (Stalled, or Reconciling while retried), a Warning Event and the failures metric,
 * and leave traffic exactly where it is. The machine state is not touched, so the next pass decides
 * again from where this one started. A status write that fails is logged and counted; the Event and
 * the metric still say the problem. A pass fenced off (leadership lost) writes nothing at all.
 */
export async function writeProblem(
  deps: ReconcilerDeps,
  ctx: ProblemTarget,
  problem: PassProblem,
  now: number,
): Promise<void> {
  const message =
    problem.field === undefined || problem.field === ''
      ? problem.message
      : `${problem.message} (${problem.field})`;
  const status = problemStatus(ctx.raw, { ...problem, message }, now);
  const stalled = problem.stalled
    ? stalledOf(deps, ctx, { status, reason: problem.reason, message, now })
    : undefined;
  const written = await writeProblemStatus(deps, ctx.raw, stalled?.status ?? status, { ...problem, message });
  if (deps.signal?.aborted === true) return;
  await deps.recorder.record(ctx.raw, { type: 'Warning', reason: problem.reason, message });
  deps.metrics?.reconcileFailures.inc({ reason: problem.reason, stage: problem.stage });
  if (written && stalled && stalled.fresh.length > 0 && stalled.subscriptions)
    deps.notifications?.publish(ctx.raw, stalled.subscriptions, stalled.fresh);
}

/** Writes a problem's status; a failure is logged and counted, not thrown (the Event still says it). */
async function writeProblemStatus(
  deps: ReconcilerDeps,
  raw: KubeObject,
  status: CanaryStatus,
  problem: PassProblem,
): Promise<boolean> {
  try {
    await deps.statusWriter.write(raw, status, deps.signal ? { signal: deps.signal } : {});
    return true;
  } catch (err) {
    if (deps.signal?.aborted === true) return false;
    deps.metrics?.statusWriteFailures.inc({ reason: problem.reason });
    deps.logger.error(
      { err, reason: problem.reason, stage: problem.stage, problem: problem.message },
      'could not write the problem to the Canary status; the Event and the metric still say it',
    );
    return false;
  }
}

/** The stored status with the problem in its message and conditions; nothing else changes. */
function problemStatus(
  raw: KubeObject,
  problem: { reason: PassFailureReason; message: string; stalled: boolean },
  now: number,
): CanaryStatus {
  const previous = (raw as KubeObject & { status?: CanaryStatus }).status;
  const generation = raw.metadata.generation;
  const shown = { reason: problem.reason, message: problem.message };
  return {
    ...previous,
    message: problem.message,
    conditions: computeConditions({
      phase: previous?.phase ?? 'Initializing',
      generation,
      observedGeneration: generation,
      previous: previous?.conditions,
      now: new Date(now).toISOString(),
      message: problem.message,
      ...(problem.stalled ? { invalid: shown } : { failing: shown }),
    }),
  };
}

/**
 * Makes a pass's failure visible: on the Canary as read by the pass, or, when the pass failed before
 * it had read it (gather), on the Canary read again. When even that read fails, the Event goes to
 * the Canary by name and the metric still counts it. Never throws; fencing reports nothing.
 */
export async function reportFailure(
  deps: ReconcilerDeps,
  failure: {
    readonly key: { readonly namespace: string; readonly name: string };
    readonly ctx: ProblemTarget | undefined;
    readonly stage: PassStage;
    readonly err: unknown;
    readonly now: number;
  },
): Promise<void> {
  if (isFenced(failure.err, deps.signal)) return;
  const problem = { ...classifyFailure(failure.err), stage: failure.stage };
  const ctx = failure.ctx ?? (await rereadCanary(deps, failure.key));
  if (ctx === 'gone') return;
  if (ctx !== undefined) {
    await writeProblem(deps, ctx, problem, failure.now);
    return;
  }
  const involved = { apiVersion: SERIN_API, kind: 'Canary', ...failure.key };
  deps.logger.error(
    { err: failure.err, reason: problem.reason, stage: problem.stage },
    'could not read the Canary to show the problem in its status; the Event and the metric still say it',
  );
  if (deps.signal?.aborted === true) return;
  await deps.recorder.record(involved, { type: 'Warning', reason: problem.reason, message: problem.message });
  deps.metrics?.reconcileFailures.inc({ reason: problem.reason, stage: problem.stage });
}

async function rereadCanary(
  deps: ReconcilerDeps,
  key: { readonly namespace: string; readonly name: string },
): Promise<ProblemTarget | 'gone' | undefined> {
  try {
    // Through the pass's reader: the Controller's is its cache (serin's RBAC has no get on Canaries).
    const raw = await (deps.reader ?? liveReader(deps.client)).get({
      apiVersion: SERIN_API,
      kind: 'Canary',
      ...key,
    });
    return raw === undefined ? 'gone' : { raw, ...key };
  } catch {
    // The read that failed the pass may fail again: the caller falls back to an Event by name.
    return undefined;
  }
}

/**
 * A Stalled notification for a problem a person must fix, once per (revision, reason): the Canary
 * may be invalid, so its subscriptions are read leniently from the raw object.
 */
function stalledOf(
  deps: ReconcilerDeps,
  ctx: ProblemTarget,
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
