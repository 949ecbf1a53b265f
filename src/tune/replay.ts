import type { AnalysisRunStatus, AnalysisTemplateSpec, Canary } from '../api/index.ts';
import {
  analysisRefOf,
  measureRuns,
  nextMeasurementAt,
  resolveTemplates,
  startRun,
  terminateRun,
  verdictEvents,
  type JudgeRunner,
} from '../analysis/index.ts';
import {
  advanceAll,
  describe,
  initialMachine,
  type CanaryEvent,
  type Effect,
  type MachineStatus,
  type PersistedMachine,
} from '../machine/index.ts';
import type { MetricProvider, SecretReader } from '../ports/index.ts';

/**
 * `serin replay`: a whole Canary against the past. The pure state machine decides, pass by pass, on
 * a virtual clock; each pass measures the active analysis runs with the controller's own
 * `measureRuns` (evidence rule included), with every query evaluated at the pass's virtual time
 * through Prometheus' `time=`. Effects are only recorded: replay cannot move yesterday's traffic,
 * and the canary and the promoted primary are taken as ready at once.
 */

/** The revision replay rolls out (the stable one is `stable`). */
export const REPLAY_REVISION = 'replay';

/** `--approve-at step=4,after=10m`: promote step 4 (1-based, as printed) 10 minutes after it starts. */
export interface ScriptedApproval {
  readonly step: number;
  readonly afterMs: number;
}

export interface TimelineEntry {
  /** Virtual time, epoch ms. */
  readonly at: number;
  readonly kind: 'event' | 'weights' | 'measurement' | 'verdict' | 'approval' | 'gate' | 'outcome';
  readonly text: string;
  readonly weight?: number;
  readonly metric?: string;
  readonly value?: string;
  readonly phase?: string;
}

export interface ReplayInput {
  readonly canary: Canary;
  /** Templates by `templateRefKey`. */
  readonly templates: ReadonlyMap<string, AnalysisTemplateSpec | undefined>;
  readonly provider: MetricProvider;
  readonly secrets?: SecretReader;
  readonly judge?: JudgeRunner;
  readonly start: number;
  /** Replay stops here (epoch ms) if the rollout has not finished. */
  readonly end: number;
  readonly approvals?: readonly ScriptedApproval[];
  readonly onEntry?: (entry: TimelineEntry) => void;
  /** Called between passes with the virtual time to come (a paced replay sleeps there). */
  readonly beforePass?: (from: number, to: number) => Promise<void>;
}

export type ReplayOutcome = 'Succeeded' | 'Aborted' | 'Failed' | 'Paused' | 'Unfinished';

export interface ReplayResult {
  readonly outcome: ReplayOutcome;
  /** When the outcome was reached (virtual time, epoch ms). */
  readonly at: number;
  readonly message: string;
  /** The 1-based step the rollout ended at, for Aborted and Failed. */
  readonly step?: number;
  /** When the canary's weight went back to 0 after an abort. */
  readonly weightZeroAt?: number;
  readonly timeline: readonly TimelineEntry[];
}

interface World {
  state: PersistedMachine;
  runs: AnalysisRunStatus[];
  weight: number;
  trafficSince: number | undefined;
  primaryReadyDue: boolean;
  requeues: number[];
  approved: Set<number>;
  weightZeroAt: number | undefined;
  /** Answers to webhook gates the machine asked for, delivered in the next pass. */
  gateAnswers: CanaryEvent[];
  readonly timeline: TimelineEntry[];
}

const FINAL = new Set(['Succeeded', 'Aborted', 'Failed']);

function record(world: World, input: ReplayInput, entry: TimelineEntry): void {
  world.timeline.push(entry);
  input.onEntry?.(entry);
}

function applyEffects(world: World, input: ReplayInput, effects: readonly Effect[], now: number): void {
  for (const effect of effects) {
    switch (effect.type) {
      case 'setWeights':
        recordWeights(world, input, effect, now);
        break;
      case 'startAnalysis': {
        const ref = analysisRefOf(input.canary, { kind: effect.kind, step: effect.step });
        const specs = ref === undefined ? undefined : resolveTemplates(ref, input.templates);
        const run = startRun({ ...effect, templates: specs ?? [], now });
        world.runs = [...world.runs.filter((r) => r.runId !== run.runId), run];
        break;
      }
      case 'stopAnalysis':
        world.runs = world.runs.map((r) =>
          r.runId === effect.runId ? terminateRun(r, now, 'stopped by the rollout') : r,
        );
        break;
      case 'promoteTemplateToPrimary':
        world.primaryReadyDue = true;
        break;
      case 'requeueAfter':
        world.requeues.push(now + effect.ms);
        break;
      case 'emitEvent':
        record(world, input, { at: now, kind: 'event', text: `${effect.reason}: ${effect.message}` });
        break;
      case 'callGate':
        answerGate(world, input, effect, now);
        break;
      // Scaling and notifications change nothing replay can observe.
      case 'notify':
      case 'recordApproval':
      case 'scaleCanary':
      case 'scaleCanaryDownAfter':
        break;
    }
  }
}

/** A weight change, as the world would have seen it (replay records weights; it never applies them). */
function recordWeights(
  world: World,
  input: ReplayInput,
  effect: Extract<Effect, { type: 'setWeights' }>,
  now: number,
): void {
  if (effect.canary === world.weight) return;
  if (world.weight === 0 && effect.canary > 0) world.trafficSince = now;
  if (effect.canary === 0) {
    world.trafficSince = undefined;
    world.weightZeroAt = now;
  }
  world.weight = effect.canary;
  record(world, input, {
    at: now,
    kind: 'weights',
    weight: effect.canary,
    text: `weights: primary ${effect.primary} | canary ${effect.canary} (recorded, not applied)`,
  });
}

/**
 * Replay never calls webhooks: it cannot ask the past, and calling a load test or a confirm hook
 * now would act on today's world. A gate the rollout waits on is taken as passed (the timeline says
 * so); post-rollout only informs, and the rollback gate is never asked, so it never aborts.
 */
function answerGate(
  world: World,
  input: ReplayInput,
  ask: Extract<Effect, { type: 'callGate' }>,
  now: number,
): void {
  if (ask.gate === 'rollback') return;
  const passed = ask.gate !== 'post-rollout';
  record(world, input, {
    at: now,
    kind: 'gate',
    text: `${ask.gate} webhooks: not called (replay cannot ask the past)${passed ? ', taken as passed' : ''}`,
  });
  if (passed)
    world.gateAnswers.push({
      type: 'GateResult',
      gateId: ask.gateId,
      ok: true,
      message: 'not called by serin replay, taken as passed',
      now,
    });
}

function newMeasurements(
  before: readonly AnalysisRunStatus[],
  after: readonly AnalysisRunStatus[],
): TimelineEntry[] {
  return after.flatMap((run) => {
    const old = before.find((r) => r.runId === run.runId);
    return run.metrics.flatMap((metric) =>
      metricEntries(
        run,
        metric,
        old?.metrics.find((m) => m.name === metric.name),
      ),
    );
  });
}

type MetricStatus = AnalysisRunStatus['metrics'][number];

/** The measurements one metric took since `previous`, or, when it took none, why it deferred. */
function metricEntries(
  run: AnalysisRunStatus,
  metric: MetricStatus,
  previous: MetricStatus | undefined,
): TimelineEntry[] {
  const added = metric.measurements.length - (previous?.measurements.length ?? 0);
  const fresh = added > 0 ? metric.measurements.slice(-added) : [];
  const entries = fresh.map((m): TimelineEntry => ({
    at: Date.parse(m.startedAt),
    kind: 'measurement',
    metric: metric.name,
    phase: m.phase,
    ...(m.value === undefined ? {} : { value: m.value }),
    text: `measured ${metric.name} = ${m.value ?? '-'} ${m.phase}${m.message === undefined ? '' : ` (${m.message})`}`,
  }));
  const deferred = metric.message?.startsWith('deferred') === true && metric.message !== previous?.message;
  if (fresh.length === 0 && deferred) {
    entries.push({
      at: Date.parse(metric.nextMeasurementAt ?? run.startedAt),
      kind: 'measurement',
      metric: metric.name,
      text: `${metric.name}: ${metric.message}`,
    });
  }
  return entries;
}

function approvalEvents(world: World, input: ReplayInput, status: MachineStatus, now: number): CanaryEvent[] {
  const index = status.currentStepIndex;
  if (index === undefined || status.stepStartedAt === undefined) return [];
  const due = (input.approvals ?? []).find(
    (a) =>
      a.step === index + 1 &&
      !world.approved.has(index) &&
      Date.parse(status.stepStartedAt ?? '') + a.afterMs <= now,
  );
  if (due === undefined || (status.phase !== 'Paused' && status.phase !== 'Progressing')) return [];
  world.approved.add(index);
  record(world, input, {
    at: now,
    kind: 'approval',
    text: `approval (scripted): Promote at step ${due.step}`,
  });
  return [
    {
      type: 'Approval',
      action: 'Promote',
      revision: REPLAY_REVISION,
      step: index,
      approver: 'serin replay --approve-at',
      now,
    },
  ];
}

function approvalTimes(input: ReplayInput, status: MachineStatus, world: World): number[] {
  const index = status.currentStepIndex;
  if (index === undefined || status.stepStartedAt === undefined || world.approved.has(index)) return [];
  const started = Date.parse(status.stepStartedAt);
  return (input.approvals ?? []).filter((a) => a.step === index + 1).map((a) => started + a.afterMs);
}

/**
 * The controller measures at the server's now; replay pins every query without a time to the
 * pass's virtual time, so Prometheus evaluates it as it would have then (`time=`).
 */
export function atVirtualTime(provider: MetricProvider, now: () => number): MetricProvider {
  return {
    instantQuery: (request) =>
      provider.instantQuery(request.time === undefined ? { ...request, time: now() } : request),
    rangeQuery: (request) => provider.rangeQuery(request),
  };
}

/**
 * The same for the judge: the controller's judge measures at the clock's now; replay hands it the
 * pass's virtual time, so both range queries cover `[virtual now - window, virtual now]`.
 */
export function judgeAtVirtualTime(judge: JudgeRunner, now: () => number): JudgeRunner {
  return (request) => judge(request.at === undefined ? { ...request, at: now() } : request);
}

async function pass(world: World, input: ReplayInput, now: number): Promise<MachineStatus> {
  const spec = input.canary.spec;
  const before = describe(world.state, spec);
  const measured = await measureRuns(
    {
      canary: input.canary,
      runs: world.runs,
      activeRunIds: before.activeRunIds,
      templates: input.templates,
      now,
      clock: () => now,
      ...(world.trafficSince === undefined ? {} : { trafficSince: world.trafficSince }),
    },
    {
      provider: atVirtualTime(input.provider, () => now),
      ...(input.secrets ? { secrets: input.secrets } : {}),
      ...(input.judge ? { judge: judgeAtVirtualTime(input.judge, () => now) } : {}),
    },
  );
  for (const entry of newMeasurements(world.runs, measured)) record(world, input, entry);
  world.runs = measured;
  const verdicts = verdictEvents({
    canary: input.canary,
    runs: measured,
    activeRunIds: before.activeRunIds,
    templates: input.templates,
    now,
  });
  for (const v of verdicts) {
    if (v.type === 'AnalysisVerdict' || v.type === 'BackgroundAnalysisVerdict')
      record(world, input, {
        at: now,
        kind: 'verdict',
        phase: v.verdict,
        text: `analysis ${v.runId}: ${v.verdict}${v.message === undefined ? '' : ` (${v.message})`}`,
      });
  }
  const events: CanaryEvent[] = [
    ...(world.primaryReadyDue && before.phase === 'Promoting'
      ? [{ type: 'PrimaryReady' as const, now }]
      : []),
    ...verdicts,
    ...approvalEvents(world, input, before, now),
    ...world.gateAnswers.map((answer) => ({ ...answer, now })),
    { type: 'Tick', now },
  ];
  world.gateAnswers = [];
  if (before.phase === 'Promoting') world.primaryReadyDue = false;
  const step = advanceAll(world.state, spec, events);
  world.state = step.state;
  applyEffects(world, input, step.effects, now);
  return describe(world.state, spec);
}

function nextPass(world: World, input: ReplayInput, status: MachineStatus, now: number): number | undefined {
  const candidates = [
    nextMeasurementAt(world.runs, status.activeRunIds),
    ...world.requeues,
    ...approvalTimes(input, status, world),
    world.primaryReadyDue ? now + 1000 : undefined,
  ].filter((t): t is number => t !== undefined && t > now);
  // A verdict, a gate's answer or a due measurement is handled in the very next pass, at the same instant.
  if (world.gateAnswers.length > 0) return now;
  const dueNow = nextMeasurementAt(world.runs, status.activeRunIds);
  if (dueNow !== undefined && dueNow <= now) return now;
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}

function outcomeOf(world: World, status: MachineStatus, now: number): ReplayResult {
  const outcome: ReplayOutcome = FINAL.has(status.phase)
    ? (status.phase as ReplayOutcome)
    : status.phase === 'Paused'
      ? 'Paused'
      : 'Unfinished';
  return {
    outcome,
    at: now,
    message: status.message,
    ...(status.currentStepIndex === undefined ? {} : { step: status.currentStepIndex + 1 }),
    ...(outcome === 'Aborted' || outcome === 'Failed'
      ? world.weightZeroAt === undefined
        ? {}
        : { weightZeroAt: world.weightZeroAt }
      : {}),
    timeline: world.timeline,
  };
}

/** Replays the Canary's rollout of a new revision from `start`. */
export async function replay(input: ReplayInput): Promise<ReplayResult> {
  const spec = input.canary.spec;
  const initial = initialMachine(spec, input.start, { revision: 'stable' });
  const world: World = {
    state: initial.state,
    runs: [],
    weight: 0,
    trafficSince: undefined,
    primaryReadyDue: false,
    requeues: [],
    approved: new Set(),
    weightZeroAt: undefined,
    gateAnswers: [],
    timeline: [],
  };
  const started = advanceAll(initial.state, spec, [
    { type: 'PrimaryReady', now: input.start },
    { type: 'NewRevision', revision: REPLAY_REVISION, now: input.start },
    { type: 'CanaryReady', now: input.start },
    { type: 'Tick', now: input.start },
  ]);
  world.state = started.state;
  world.weight = 0;
  applyEffects(
    world,
    input,
    started.effects.filter((e) => e.type !== 'setWeights' || e.canary > 0),
    input.start,
  );
  let now = input.start;
  let status = describe(world.state, spec);
  for (let passes = 0; passes < 100_000; passes++) {
    status = await pass(world, input, now);
    if (FINAL.has(status.phase)) break;
    const next = nextPass(world, input, status, now);
    if (next === undefined || next > input.end) break;
    await input.beforePass?.(now, next);
    world.requeues = world.requeues.filter((t) => t > next);
    now = next;
  }
  const result = outcomeOf(world, status, now);
  record(world, input, { at: now, kind: 'outcome', text: `${result.outcome}: ${result.message}` });
  return result;
}

/** `1h2m3s` after the start. */
export function offsetText(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `+${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${String(m).padStart(h > 0 ? 2 : 1, '0')}m` : ''}${String(rest).padStart(h > 0 || m > 0 ? 2 : 1, '0')}s`;
}
