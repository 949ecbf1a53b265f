import type { CanarySpec } from '../api/index.ts';
import {
  backgroundRunIdFor,
  currentStep,
  event,
  kindOf,
  pauseMsOf,
  stepRunIdFor,
  weights,
} from './context.ts';
import type { Effect, MachineContext, Outcome } from './types.ts';

/** Whether the current step has been entered. */
export function stepEntered(context: MachineContext): boolean {
  return context.stepStartedAt !== null;
}

/**
 * Whether the current step is finished: a setWeight once the canary was seen ready after the weights
 * were set, a timed pause once its time has passed on the event clock, an approval pause once promoted,
 * an analysis once its run passed.
 */
export function stepComplete(context: MachineContext, spec: CanarySpec): boolean {
  if (context.stepStartedAt === null) return false;
  if (context.stepDone) return true;
  const pauseMs = pauseMsOf(currentStep(context, spec));
  return pauseMs !== undefined && context.now - context.stepStartedAt >= pauseMs;
}

/** The background run, started once per rollout when the rollout reaches `startingStep`. */
function backgroundStart(context: MachineContext, spec: CanarySpec): Outcome {
  const analysis = spec.analysis;
  const revision = context.revision;
  if (analysis === undefined || revision === null || spec.skipAnalysis || context.backgroundStarted) {
    return { context, effects: [] };
  }
  if (context.stepIndex < (analysis.startingStep ?? 0)) return { context, effects: [] };
  const runId = backgroundRunIdFor(revision, context.rollout);
  const effect: Effect = {
    type: 'startAnalysis',
    runId,
    kind: 'Background',
    revision,
    step: context.stepIndex,
    templates: analysis.templates,
    args: analysis.args ?? [],
  };
  return { context: { ...context, backgroundRunId: runId, backgroundStarted: true }, effects: [effect] };
}

/** Sets the step's weight on the routes. */
function applyStepWeight(context: MachineContext, weight: number, label: string): Outcome {
  const effect = weights(weight);
  const canary = effect.type === 'setWeights' ? effect.canary : 0;
  return {
    context: { ...context, canaryWeight: canary, readyWaitSince: null },
    effects: [effect, event('StepStarted', `${label}: canary weight ${canary}%`)],
  };
}

/** The effects of entering the current step, and the context that remembers it was entered. */
function stepEntry(context: MachineContext, spec: CanarySpec): Outcome {
  const step = currentStep(context, spec);
  const revision = context.revision ?? '';
  const label = `step ${context.stepIndex + 1}/${spec.steps.length}`;
  if (step === undefined) return { context, effects: [] };
  const entered: MachineContext = {
    ...context,
    stepKind: kindOf(step),
    stepStartedAt: context.now,
    stepDone: false,
    stepRunId: null,
  };
  if ('setWeight' in step) {
    // Traffic moves only to a ready canary: with no ready endpoints behind the canary Service, real
    // users would get 503s and the analysis a false failure. Until then the step waits (tickStep).
    if (entered.canaryReady) return applyStepWeight(entered, step.setWeight, label);
    // Waiting for readiness started when the canary was first asked for it, not at each step.
    const readyWaitSince = entered.readyWaitSince ?? entered.now;
    return {
      context: { ...entered, readyWaitSince },
      effects: [
        event('StepStarted', `${label}: waiting for the canary to be ready before weight ${step.setWeight}%`),
      ],
    };
  }
  if ('analysis' in step) {
    const runId = stepRunIdFor(revision, context.stepIndex, context.rollout);
    const start: Effect = {
      type: 'startAnalysis',
      runId,
      kind: 'Step',
      revision,
      step: context.stepIndex,
      templates: step.analysis.templates,
      args: step.analysis.args ?? [],
    };
    return {
      context: { ...entered, stepRunId: runId },
      effects: [start, event('StepStarted', `${label}: analysis ${runId}`)],
    };
  }
  const pauseMs = pauseMsOf(step);
  if (pauseMs === undefined) {
    return {
      context: { ...entered, pauseReason: 'Manual', message: `${label} waits for an Approval (Promote)` },
      effects: [
        event('WaitingForApproval', `${label}: waiting for an Approval (Promote) of ${revision}`),
        { type: 'notify', kind: 'WaitingForApproval', message: `${revision} ${label} waits for approval` },
      ],
    };
  }
  return {
    context: entered,
    effects: [event('StepStarted', `${label}: pause ${pauseMs}ms`), { type: 'requeueAfter', ms: pauseMs }],
  };
}

/** Enters the current step: its own effects, then the background run if this step starts it. */
export function enterStep(context: MachineContext, spec: CanarySpec): Outcome {
  const entry = stepEntry(context, spec);
  const background = backgroundStart(entry.context, spec);
  return { context: background.context, effects: [...entry.effects, ...background.effects] };
}

/** Leaves the finished step for the next one, which is entered by the next eventless check. */
export function completeStep(context: MachineContext): Outcome {
  // A pause is not progress toward readiness: the deadline restarts after it (AR #3534).
  const readyWaitSince =
    context.stepKind === 'pause' && context.readyWaitSince !== null ? context.now : context.readyWaitSince;
  return {
    context: {
      ...context,
      stepIndex: context.stepIndex + 1,
      stepKind: null,
      stepStartedAt: null,
      stepDone: false,
      stepRunId: null,
      readyWaitSince,
    },
    effects: [],
  };
}

function stepWeight(context: MachineContext, spec: CanarySpec): number | undefined {
  const step = currentStep(context, spec);
  return step && 'setWeight' in step ? step.setWeight : undefined;
}

/** A setWeight step has been entered but its weight is not on the routes yet (the canary was not ready). */
export function weightPending(context: MachineContext, spec: CanarySpec): boolean {
  if (context.stepKind !== 'setWeight' || context.stepStartedAt === null || context.stepDone) return false;
  const weight = stepWeight(context, spec);
  return weight !== undefined && weight !== context.canaryWeight;
}

/**
 * A setWeight step whose canary is now ready: its pending weight goes on the routes and the step is
 * done (a ready canary is what the step waits for).
 */
export function applyPendingWeight(context: MachineContext, spec: CanarySpec): Outcome {
  const weight = stepWeight(context, spec);
  if (weight === undefined) return { context, effects: [] };
  const applied = applyStepWeight(context, weight, `step ${context.stepIndex + 1}/${spec.steps.length}`);
  return { context: { ...applied.context, stepDone: true }, effects: applied.effects };
}

/**
 * A tick inside a step: a setWeight whose canary is already ready is done; a timed pause that is not
 * over asks to be woken when it is.
 */
export function tickStep(context: MachineContext, spec: CanarySpec): Outcome {
  if (context.stepStartedAt === null) return { context, effects: [] };
  if (context.stepKind === 'setWeight' && context.canaryReady) {
    if (weightPending(context, spec)) return applyPendingWeight(context, spec);
    return { context: { ...context, stepDone: true }, effects: [] };
  }
  const pauseMs = pauseMsOf(currentStep(context, spec));
  if (context.stepKind !== 'pause' || pauseMs === undefined) return { context, effects: [] };
  const remaining = context.stepStartedAt + pauseMs - context.now;
  return { context, effects: remaining > 0 ? [{ type: 'requeueAfter', ms: remaining }] : [] };
}

/**
 * After a spec change: a step whose kind changed is entered again (its run stopped), and runs the
 * spec no longer asks for are stopped.
 */
export function reconcileSpec(context: MachineContext, spec: CanarySpec): Outcome {
  const effects: Effect[] = [];
  let next: MachineContext = context;
  const step = currentStep(next, spec);
  const kindChanged = next.stepKind !== null && (step === undefined || kindOf(step) !== next.stepKind);
  if ((kindChanged || spec.skipAnalysis) && next.stepRunId !== null) {
    effects.push({ type: 'stopAnalysis', runId: next.stepRunId });
    next = { ...next, stepRunId: null };
  }
  if (kindChanged) next = { ...next, stepKind: null, stepStartedAt: null, stepDone: false };
  if ((spec.analysis === undefined || spec.skipAnalysis) && next.backgroundRunId !== null) {
    effects.push({ type: 'stopAnalysis', runId: next.backgroundRunId });
    next = { ...next, backgroundRunId: null };
  }
  return { context: next, effects };
}
