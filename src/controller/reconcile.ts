import type { AnalysisTemplateSpec, Canary, CanaryStatus } from '../api/index.ts';
import { startRun } from '../analysis/index.ts';
import { sameJson } from '../kube/index.ts';
import {
  advanceAll,
  computeConditions,
  describe,
  initialMachine,
  MachineStateError,
  type CanaryEvent,
  type Effect,
  type MachineStatus,
  type PersistedMachine,
} from '../machine/index.ts';
import { applyWeights, runEffects, type EffectPorts, type PassDraft } from './act.ts';
import {
  analysisRefOf,
  measureRuns,
  nextMeasurementAt,
  resolveTemplates,
  verdictEvents,
} from './analysis-driver.ts';
import { rejectInvalid, rejectOrphans } from './approval-checks.ts';
import { commit, reportFailure, writeProblem } from './commit.ts';
import type { PassStage } from './failures.ts';
import { disown, ensureFinalizer, finalize } from './finalize.ts';
import type { ReconcilerDeps } from './deps.ts';
import { liveReader } from './cluster-reader.ts';
import { gather, type ReconcileContext } from './gather.ts';
import { gateCallsFor, launchGates, recordGateAsk, settleGates } from './gates.ts';
import { observe } from './observe.ts';
import { parseCanary, validate, type Invalid } from './validate.ts';
import { ensureWorkloads, promotePrimary, restorePrimary, scaleTarget } from './workload-writes.ts';
import { REVISION_ANNOTATION } from './workloads.ts';
import { currentRevision, referenceProblem } from './references.ts';

export type { ReconcilerDeps } from './deps.ts';

export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

/** How often a Canary in a rollout is looked at even when nothing wakes it. */
const ROLLOUT_RESYNC_MS = 15_000;
const STEADY_RESYNC_MS = 300_000;

interface Decision {
  readonly state: PersistedMachine;
  readonly effects: Effect[];
  readonly before: MachineStatus | undefined;
}

/**
 * Stored machine state this controller cannot read (written by a newer serin, or damaged) stalls the
 * Canary before anything is written: guessing could move traffic the wrong way.
 */
function machineStateProblem(canary: Canary): Invalid | undefined {
  const persisted = canary.status?.machine as PersistedMachine | undefined;
  if (!persisted) return undefined;
  try {
    describe(persisted, canary.spec);
    return undefined;
  } catch (err) {
    if (!(err instanceof MachineStateError)) throw err;
    return { reason: 'InvalidMachineState', field: 'status.machine', message: err.message };
  }
}

async function decide(
  canary: Canary,
  ctx: ReconcileContext,
  draft: PassDraft,
  deps: ReconcilerDeps,
  now: number,
): Promise<Decision> {
  const persisted = canary.status?.machine as PersistedMachine | undefined;
  if (!persisted) {
    // The primary starts from the target's current template (or already runs a known revision).
    const revision =
      ctx.primary?.metadata.annotations?.[REVISION_ANNOTATION] ??
      (ctx.target ? currentRevision(ctx.target, ctx.refs) : undefined);
    const initial = initialMachine(canary.spec, now, revision === undefined ? {} : { revision });
    const more = advanceAll(initial.state, canary.spec, [
      ...observe({ canary, ctx, machine: describe(initial.state, canary.spec), now }),
      { type: 'Tick', now },
    ]);
    return { state: more.state, effects: [...initial.effects, ...more.effects], before: undefined };
  }
  const before = describe(persisted, canary.spec);
  const runs = await measureRuns(
    {
      canary,
      runs: canary.status?.analysis ?? [],
      activeRunIds: before.activeRunIds,
      templates: ctx.templates,
      now,
      clock: deps.clock,
      ...trafficSinceOf(canary.status, now),
      ...previousTrafficOf(canary.status),
    },
    {
      provider: deps.provider,
      ...(deps.secrets ? { secrets: deps.secrets } : {}),
      ...(deps.judge ? { judge: deps.judge } : {}),
      ...(deps.web ? { web: deps.web } : {}),
      onMeasurement: (metric, phase, timing) => deps.metrics?.observeMeasurement(metric, phase, timing),
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
  );
  draft.status = { ...draft.status, analysis: runs };
  const gateResults = settleGates({ canary, draft, asks: before.gates, now }, gateCallsFor(deps.client));
  const events: CanaryEvent[] = [
    ...observe({ canary, ctx, machine: before, now }),
    ...verdictEvents({ canary, runs, activeRunIds: before.activeRunIds, templates: ctx.templates, now }),
    ...gateResults,
    { type: 'Tick', now },
  ];
  const next = advanceAll(persisted, canary.spec, events);
  return { ...next, before };
}

function effectPorts(canary: Canary, ctx: ReconcileContext, deps: ReconcilerDeps, now: number): EffectPorts {
  const templates: ReadonlyMap<string, AnalysisTemplateSpec | undefined> = ctx.templates;
  return {
    router: deps.routerFor(canary),
    // Planned from as read at the start of the pass; a write pins it, and is read back live.
    seen: ctx.virtualServices.map(({ ref, namespace, object }) => ({ namespace, name: ref.name, object })),
    now,
    ...(deps.signal ? { signal: deps.signal } : {}),
    scaleCanary: (replicas) => scaleTarget(deps.client, ctx, replicas, deps.signal),
    promoteTemplateToPrimary: () => promotePrimary(deps.client, canary, ctx, deps.signal),
    restorePrimary: (stable) =>
      restorePrimary(deps.client, canary, { ctx, stable, signal: deps.signal, reader: deps.reader }),
    callGate: (effect, draft) => {
      recordGateAsk(canary, effect, draft);
    },
    startRun: (effect) => {
      const ref = analysisRefOf(canary, { kind: effect.kind, step: effect.step });
      const specs = ref ? resolveTemplates(ref, templates) : undefined;
      return startRun({
        runId: effect.runId,
        kind: effect.kind,
        revision: effect.revision,
        step: effect.step,
        templates: specs ?? [],
        now,
      });
    },
  };
}

/**
 * Keeps the world in line with the decided state between transitions: weights someone else edited
 * are restored, and an aborted canary is scaled down once its delay has passed.
 */
async function converge(machine: MachineStatus, ports: EffectPorts, draft: PassDraft): Promise<void> {
  if (machine.phase !== 'Initializing' && draft.weights === undefined) {
    await applyWeights(ports, draft, { primary: 100 - machine.canaryWeight, canary: machine.canaryWeight });
  }
  const due = draft.status.canaryScaleDownAt;
  if (due !== undefined && Date.parse(due) <= ports.now) {
    await ports.scaleCanary(0);
    const { canaryScaleDownAt: _done, ...rest } = draft.status;
    draft.status = rest;
  }
}

/**
 * When to look at the Canary again without a watch event: the earliest time the pass knows of (a
 * pause's end, the next measurement, a scale-down, a progress deadline, a gate's retry), and at the
 * latest a resync. During a rollout the resync is 15 s, except while an analysis has its next
 * measurement scheduled: that measurement is when something can happen, and a watch wakes the
 * Canary for anything else (a pass between two measurements did nothing but cost a core's share at
 * 10,000 Canaries, docs/performance.md). At rest, or measuring, the resync is 300 s.
 *
 * The times are known at `decidedAt` and the delay counts from `endedAt`, once the pass's writes
 * are done: counted from the decision, every measurement came late by the length of the pass that
 * scheduled it (its status write, behind 170 others a second at 10,000 Canaries).
 */
function requeueAfter(
  machine: MachineStatus,
  draft: PassDraft,
  pass: { readonly decidedAt: number; readonly endedAt: number },
): number {
  const { decidedAt, endedAt } = pass;
  const at = [draft.requeueAfterMs === undefined ? Infinity : decidedAt + draft.requeueAfterMs];
  const measurement = nextMeasurementAt(draft.status.analysis ?? [], machine.activeRunIds);
  if (measurement !== undefined) at.push(measurement);
  if (draft.status.canaryScaleDownAt !== undefined) at.push(Date.parse(draft.status.canaryScaleDownAt));
  // A deadline already past whose guard did not fire (a pause does not count against it) is not a
  // time to come back at once: the resync looks again.
  if (machine.deadlineAt !== undefined && machine.deadlineAt > decidedAt) at.push(machine.deadlineAt);
  const steady = machine.phase === 'Idle' || machine.phase === 'Succeeded';
  const resync = steady || measurement !== undefined ? STEADY_RESYNC_MS : ROLLOUT_RESYNC_MS;
  return Math.max(0, Math.min(resync, Math.min(...at) - endedAt));
}

/** How far a pass got: where a failure happened, and the Canary as the pass last read it. */
interface PassProgress {
  stage: PassStage;
  ctx: ReconcileContext | undefined;
  /** The pass's time: taken again once its reads are in (see runPass). */
  now: number;
}

/**
 * One reconcile pass for one Canary. Nothing is committed unless every effect succeeded: a failure
 * is shown on the Canary (a condition, a Warning Event, the failures metric; see reportFailure),
 * then thrown, the work queue retries with backoff, and the next pass decides again from the same
 * state.
 */
export async function reconcile(
  deps: ReconcilerDeps,
  key: { namespace: string; name: string },
): Promise<ReconcileResult> {
  const progress: PassProgress = { stage: 'gather', ctx: undefined, now: deps.clock() };
  try {
    return await runPass(deps, key, progress);
  } catch (err) {
    await reportFailure(deps, { key, ctx: progress.ctx, stage: progress.stage, err, now: progress.now });
    throw err;
  }
}

async function runPass(
  deps: ReconcilerDeps,
  key: { namespace: string; name: string },
  progress: PassProgress,
): Promise<ReconcileResult> {
  const ctx = await gather(deps.reader ?? liveReader(deps.client), key, parseCanary);
  // The pass decides at the time its reads are in, not when it began: a read can wait for a cache
  // to show serin's own last write, and a step started at the earlier time would end that much
  // sooner after its weight is set (a 1 s pause after a 1 s wait is no pause at all).
  const now = (progress.now = deps.clock());
  if (!ctx) {
    deps.metrics?.forgetCanary(key.namespace, key.name);
    await rejectOrphans(deps, key, now);
    return {};
  }
  progress.ctx = ctx;
  if (ctx.raw.metadata.deletionTimestamp !== undefined) {
    progress.stage = 'finalize';
    return finalize(deps, ctx, { canary: parseCanary(ctx.raw), now });
  }
  progress.stage = 'finalizer';
  const live = { ...ctx, raw: await ensureFinalizer(deps, ctx) };
  progress.ctx = live;
  return reconcileLive(deps, live, { now, progress });
}

async function reconcileLive(
  deps: ReconcilerDeps,
  ctx: ReconcileContext,
  pass: { readonly now: number; readonly progress: PassProgress },
): Promise<ReconcileResult> {
  const { now, progress } = pass;
  progress.stage = 'validate';
  const canary = parseCanary(ctx.raw);
  const invalid = validate(ctx) ?? referenceProblem(ctx.refs) ?? (canary && machineStateProblem(canary));
  if (invalid || !canary) {
    const problem = invalid ?? { reason: 'InvalidSpec', field: '', message: 'invalid spec' };
    await writeProblem(deps, ctx, { ...problem, stalled: true, stage: 'validate' }, now);
    return { requeueAfterMs: STEADY_RESYNC_MS };
  }
  progress.stage = 'workloads';
  await ensureWorkloads(deps.client, canary, ctx, deps.signal);
  await disown(deps, ctx);
  const draft: PassDraft = {
    status: { ...canary.status },
    events: [],
    notifications: [],
    approvals: [],
    requeueAfterMs: undefined,
    weights: undefined,
  };
  rejectInvalid(draft, ctx.invalidApprovals ?? [], now);
  progress.stage = 'decide';
  const decision = await decide(canary, ctx, draft, deps, now);
  const ports = effectPorts(canary, ctx, deps, now);
  const machine = describe(decision.state, canary.spec);
  progress.stage = 'effects';
  await runEffects(decision.effects, ports, draft);
  progress.stage = 'converge';
  await converge(machine, ports, draft);
  launchGates({ canary, asks: machine.gates ?? [], now, draft }, gateCallsFor(deps.client));
  const canaryWeight = draft.status.canaryWeight ?? machine.canaryWeight;
  const status: CanaryStatus = {
    ...withoutMachineFields(draft.status),
    ...trafficSinceAfter(canary.status, { canaryWeight, revision: machine.revision, now }),
    // Read after the effects: the weight written this pass ended the traffic no earlier than now.
    ...previousTrafficAfter(canary.status, { canaryWeight, revision: machine.revision, now: deps.clock() }),
    observedGeneration: canary.metadata.generation,
    phase: machine.phase,
    canaryWeight,
    message: machine.message,
    machine: decision.state,
    conditions: computeConditions({
      phase: machine.phase,
      generation: canary.metadata.generation,
      observedGeneration: canary.metadata.generation,
      previous: canary.status?.conditions,
      now: new Date(now).toISOString(),
      message: machine.message,
      ...(machine.initializationStalled
        ? { invalid: { reason: 'InitializationDeadlineExceeded', message: machine.message } }
        : {}),
    }),
    ...statusFields(machine),
  };
  progress.stage = 'commit';
  await commit(deps, ctx, canary, keepClockIfIdle(ctx.raw.status as CanaryStatus | undefined, status), draft);
  return { requeueAfterMs: requeueAfter(machine, draft, { decidedAt: now, endedAt: deps.clock() }) };
}

/**
 * The machine's context remembers the last time it saw. A pass in which nothing else changed keeps
 * the stored time, so it writes nothing: otherwise every pass would write status, and the write,
 * seen through the watch, would start the next pass.
 */
export function keepClockIfIdle(previous: CanaryStatus | undefined, next: CanaryStatus): CanaryStatus {
  const before = previous?.machine;
  const after = next.machine;
  if (!before || !after || !('now' in before.context)) return next;
  const kept: CanaryStatus = {
    ...next,
    machine: { ...after, context: { ...after.context, now: before.context.now } },
  };
  // Compared as the server stores it: merge patches delete nulls, and key order does not count.
  return sameJson(kept, previous) ? kept : next;
}

/**
 * Since when the canary has had traffic, for the evidence rule. A canary at weight > 0 whose start
 * is not recorded (a status written before the field existed) counts from now: the safe guess.
 */
function trafficSinceOf(status: CanaryStatus | undefined, now: number): { trafficSince?: number } {
  if ((status?.canaryWeight ?? 0) === 0) return {};
  const since = Date.parse(status?.canaryTrafficSince ?? '');
  return { trafficSince: Number.isFinite(since) ? since : now };
}

/**
 * `canaryTrafficSince` after the pass: kept while the same revision keeps weight, set when weight
 * goes from 0 to above 0 (or a new revision takes over), removed at weight 0.
 */
export function trafficSinceAfter(
  previous: CanaryStatus | undefined,
  next: { canaryWeight: number; revision: string | undefined; now: number },
): { canaryTrafficSince?: string } {
  if (next.canaryWeight === 0) return {};
  const since = previous?.canaryTrafficSince;
  const continuing =
    since !== undefined && (previous?.canaryWeight ?? 0) > 0 && previous?.revision === next.revision;
  return { canaryTrafficSince: continuing ? since : new Date(next.now).toISOString() };
}

/** When an earlier revision's canary traffic ended, for the evidence rule's second clause. */
function previousTrafficOf(status: CanaryStatus | undefined): { previousTrafficUntil?: number } {
  const until = Date.parse(status?.previousTrafficUntil ?? '');
  return Number.isFinite(until) ? { previousTrafficUntil: until } : {};
}

/**
 * `previousTrafficUntil` after the pass: set when the canary's weight goes from above 0 to 0, or
 * when a new revision takes over while the weight is above 0 (the old one's traffic ends then
 * too); otherwise kept, also at weight 0, since the next revision's queries read the same series.
 */
export function previousTrafficAfter(
  previous: CanaryStatus | undefined,
  next: { canaryWeight: number; revision: string | undefined; now: number },
): { previousTrafficUntil?: string } {
  const hadTraffic = (previous?.canaryWeight ?? 0) > 0;
  const ended = hadTraffic && (next.canaryWeight === 0 || previous?.revision !== next.revision);
  if (ended) return { previousTrafficUntil: new Date(next.now).toISOString() };
  const kept = previous?.previousTrafficUntil;
  return kept === undefined ? {} : { previousTrafficUntil: kept };
}

function withoutMachineFields(status: CanaryStatus): CanaryStatus {
  const {
    revision: _r,
    stableRevision: _s,
    currentStepIndex: _i,
    stepStartedAt: _t,
    pauseReason: _p,
    canaryTrafficSince: _c,
    previousTrafficUntil: _u,
    ...rest
  } = status;
  return rest;
}

/** The machine-derived status fields that are set; the others are left out (so removed from status). */
function statusFields(machine: MachineStatus): Partial<CanaryStatus> {
  const fields: Partial<CanaryStatus> = {};
  if (machine.revision !== undefined) fields.revision = machine.revision;
  if (machine.stableRevision !== undefined) fields.stableRevision = machine.stableRevision;
  if (machine.currentStepIndex !== undefined) fields.currentStepIndex = machine.currentStepIndex;
  if (machine.stepStartedAt !== undefined) fields.stepStartedAt = machine.stepStartedAt;
  if (machine.pauseReason !== undefined) fields.pauseReason = machine.pauseReason;
  return fields;
}
