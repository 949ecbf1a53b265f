import type { CanarySpec, CanaryStep } from '../api/index.ts';
import { durationToMs } from '../api/index.ts';
import type { Effect, MachineContext, MachineEvent, StepKind } from './types.ts';

/** What every rollout starts from: step 0, no weight, no runs, nothing observed yet. */
export const ROLLOUT_START = {
  stepIndex: 0,
  stepKind: null,
  stepStartedAt: null,
  stepDone: false,
  stepRunId: null,
  backgroundRunId: null,
  backgroundStarted: false,
  canaryWeight: 0,
  canaryReady: false,
  promotingSince: null,
  primaryReady: false,
  pauseReason: null,
  pendingRevision: null,
  message: null,
  gate: null,
  gatesPassed: [],
} as const satisfies Partial<MachineContext>;

/** The context of a Canary whose primary is being created. */
export function initialContext(spec: CanarySpec, now: number): MachineContext {
  return {
    now,
    revision: null,
    stableRevision: null,
    attempt: 1,
    rollout: 0,
    ...ROLLOUT_START,
    readyWaitSince: null,
    suspended: spec.suspend,
    // Set on entering Initializing: a restored context fills missing fields from here, and a status
    // merge patch drops nulls, so every nullable field must start null.
    initializingSince: null,
    initStalled: false,
  };
}

/** The clock after an event: time only moves forward, and only events move it. */
export function clockAfter(context: MachineContext, event: MachineEvent): number {
  const now = event.now;
  return typeof now === 'number' && Number.isFinite(now) && now > context.now ? now : context.now;
}

/** Applies the event's time to the context. */
export function withClock(context: MachineContext, event: MachineEvent): MachineContext {
  const now = clockAfter(context, event);
  return now === context.now ? context : { ...context, now };
}

/**
 * The run id of a step's analysis. Deterministic, so a restart never starts a duplicate run; and
 * unique over the Canary's life, because `rollout` never repeats: a revision released again after a
 * return to stable must measure again, never inherit the verdict of its earlier rollout.
 */
export function stepRunIdFor(revision: string, stepIndex: number, rollout: number): string {
  return `${revision}-r${rollout}-s${stepIndex}`;
}

/** The run id of a rollout's background analysis. */
export function backgroundRunIdFor(revision: string, rollout: number): string {
  return `${revision}-r${rollout}-bg`;
}

/** The kind of a step. */
export function kindOf(step: CanaryStep): StepKind {
  if ('setWeight' in step) return 'setWeight';
  if ('analysis' in step) return 'analysis';
  return step.pause.duration === undefined ? 'approval' : 'pause';
}

/** The step at the context's index, if the spec still has one there. */
export function currentStep(context: MachineContext, spec: CanarySpec): CanaryStep | undefined {
  return spec.steps[context.stepIndex];
}

/** The step's pause in ms, for a timed pause. */
export function pauseMsOf(step: CanaryStep | undefined): number | undefined {
  if (step === undefined || !('pause' in step) || step.pause.duration === undefined) return undefined;
  return durationToMs(step.pause.duration);
}

/** Weights as the router takes them: integers in 0..100 that sum to 100. */
export function weights(canary: number): Effect {
  const bounded = Math.min(100, Math.max(0, Math.round(Number.isFinite(canary) ? canary : 0)));
  return { type: 'setWeights', primary: 100 - bounded, canary: bounded };
}

/** A Kubernetes event for the Canary. */
export function event(reason: string, message: string, severity: 'Normal' | 'Warning' = 'Normal'): Effect {
  return { type: 'emitEvent', reason, message, severity };
}

/** Stops every run the context holds and forgets them. */
export function stopRuns(context: MachineContext): { context: MachineContext; effects: Effect[] } {
  const effects: Effect[] = [];
  if (context.stepRunId !== null) effects.push({ type: 'stopAnalysis', runId: context.stepRunId });
  if (context.backgroundRunId !== null)
    effects.push({ type: 'stopAnalysis', runId: context.backgroundRunId });
  // A gate the rollout waited on is no longer awaited once its runs stop (abort, promotion, restart).
  return { context: { ...context, stepRunId: null, backgroundRunId: null, gate: null }, effects };
}

/** The machine's clock as an ISO timestamp. */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}
