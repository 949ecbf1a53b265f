import type { CanarySpec, OnFailure, PauseReason } from '../api/index.ts';
import { ROLLOUT_START, currentStep, event, stopRuns, weights } from './context.ts';
import type { Effect, MachineContext, MachineEvent, Outcome, VerdictFields } from './types.ts';

/** Starts a revision at step 0: the canary is scaled up first, steps follow in eventless checks. */
export function startRevision(
  context: MachineContext,
  options: { revision: string; attempt: number; midRollout: boolean },
): Outcome {
  const effects: Effect[] = [];
  let next = context;
  if (options.midRollout) {
    // The old canary must stop taking traffic before anything else happens.
    effects.push(weights(0));
    const stopped = stopRuns(next);
    next = stopped.context;
    effects.push(...stopped.effects);
  }
  const what =
    options.attempt > 1 ? `retrying ${options.revision} (attempt ${options.attempt})` : options.revision;
  effects.push({ type: 'scaleCanary', toTarget: true }, event('NewRevision', `rolling out ${what}`), {
    type: 'notify',
    kind: 'RolloutStarted',
    message: `rolling out ${what}`,
  });
  return {
    context: {
      ...next,
      ...ROLLOUT_START,
      revision: options.revision,
      attempt: options.attempt,
      rollout: next.rollout + 1,
      readyWaitSince: next.now,
    },
    effects,
  };
}

/**
 * Ends a rollout badly. Traffic goes back to primary first, then the canary is scaled down after the
 * grace period and its runs are stopped.
 */
export function endRollout(
  context: MachineContext,
  spec: CanarySpec,
  options: { outcome: 'Aborted' | 'Failed'; reason: string; message: string },
): Outcome {
  const stopped = stopRuns(context);
  const effects: Effect[] = [
    weights(0),
    { type: 'scaleCanaryDownAfter', seconds: spec.abortScaleDownDelaySeconds },
    ...stopped.effects,
    event(options.reason, options.message, 'Warning'),
    { type: 'notify', kind: options.outcome, message: options.message },
  ];
  return {
    context: {
      ...stopped.context,
      canaryWeight: 0,
      pauseReason: null,
      promotingSince: null,
      readyWaitSince: null,
      pendingRevision: null,
      message: options.message,
    },
    effects,
  };
}

/** Enters Promoting: analysis is over, the canary's template is copied into primary. */
export function beginPromotion(context: MachineContext): Outcome {
  const stopped = stopRuns(context);
  const message = `promoting ${context.revision ?? ''} to primary`;
  return {
    context: {
      ...stopped.context,
      promotingSince: context.now,
      primaryReady: false,
      pauseReason: null,
      readyWaitSince: null,
      message: null,
    },
    effects: [
      ...stopped.effects,
      { type: 'promoteTemplateToPrimary', revision: context.revision },
      event('Promoting', message),
      { type: 'notify', kind: 'Promoting', message },
    ],
  };
}

/**
 * The promoted primary is ready: all traffic to primary first; the canary is scaled to zero only
 * `scaleDownDelaySeconds` later, because proxies may still route to it for a few seconds.
 */
export function finishPromotion(context: MachineContext, spec: CanarySpec): Outcome {
  const message = `${context.revision ?? ''} promoted`;
  return {
    context: {
      ...context,
      stableRevision: context.revision,
      canaryWeight: 0,
      promotingSince: null,
      primaryReady: false,
      message: null,
    },
    effects: [
      weights(0),
      { type: 'scaleCanaryDownAfter', seconds: spec.scaleDownDelaySeconds },
      event('Succeeded', message),
      { type: 'notify', kind: 'Succeeded', message },
    ],
  };
}

/** The target went back to the stable template: no canary is needed any more (scaled down after the delay). */
export function returnToStable(context: MachineContext, spec: CanarySpec): Outcome {
  const stopped = stopRuns(context);
  return {
    context: {
      ...stopped.context,
      revision: context.stableRevision,
      stepIndex: 0,
      stepKind: null,
      stepStartedAt: null,
      stepDone: false,
      canaryWeight: 0,
      canaryReady: false,
      readyWaitSince: null,
      promotingSince: null,
      pauseReason: null,
      pendingRevision: null,
      message: null,
    },
    effects: [
      weights(0),
      ...stopped.effects,
      { type: 'scaleCanaryDownAfter', seconds: spec.scaleDownDelaySeconds },
      event('RevertedToStable', `target is back at stable revision ${context.stableRevision ?? ''}`),
    ],
  };
}

/**
 * A Failed analysis whose onFailure is Pause: the canary's weight goes to 0 first, every run stops,
 * the canary keeps its pods, and only an Approval moves on: Retry, Abort, or PromoteFull with a
 * reason. The failed step does not count as done.
 */
export function pauseOnFailure(context: MachineContext, message: string): Outcome {
  const stopped = stopRuns(context);
  const paused = pause(
    { ...stopped.context, canaryWeight: 0, stepDone: false },
    'AnalysisFailed',
    `${message}; waiting for an Approval: Retry, Abort, or PromoteFull with a reason`,
  );
  return { context: paused.context, effects: [weights(0), ...stopped.effects, ...paused.effects] };
}

/** Pauses with a reason; the rollout continues only on an approval. */
export function pause(context: MachineContext, reason: PauseReason, message: string): Outcome {
  return {
    context: { ...context, pauseReason: reason, message },
    effects: [
      event('Paused', message, reason === 'Manual' ? 'Normal' : 'Warning'),
      { type: 'notify', kind: 'Paused', message },
    ],
  };
}

/**
 * Leaves a pause. An approval pause step is thereby done; the readiness deadline restarts because time
 * spent paused is never held against the canary (AR #3534).
 */
export function resume(context: MachineContext): Outcome {
  return {
    context: {
      ...context,
      pauseReason: null,
      message: null,
      stepDone: context.stepDone || context.stepKind === 'approval',
      readyWaitSince: context.readyWaitSince === null ? null : context.now,
    },
    effects: [event('Resumed', `resumed ${context.revision ?? ''} at step ${context.stepIndex + 1}`)],
  };
}

/** What a verdict means for the rollout. */
export type VerdictMeaning = { kind: 'pass' } | { kind: 'abort' } | { kind: 'pause'; reason: PauseReason };

/**
 * What a Failed verdict does for the run it belongs to: the step's (or the background analysis')
 * own `onFailure`, else the Canary's.
 */
export function onFailureOf(context: MachineContext, event: MachineEvent): OnFailure {
  const { spec } = event;
  if (event.type === 'BackgroundAnalysisVerdict') return spec.analysis?.onFailure ?? spec.onFailure;
  const step = currentStep(context, spec);
  const own = step !== undefined && 'analysis' in step ? step.analysis.onFailure : undefined;
  return own ?? spec.onFailure;
}

/**
 * Failed aborts unless its onFailure is Pause (then Paused, AnalysisFailed); Error aborts unless its
 * onError is Pause; Inconclusive pauses.
 */
export function meaningOf(verdict: VerdictFields, onFailure: OnFailure = 'Abort'): VerdictMeaning {
  switch (verdict.verdict) {
    case 'Successful':
      return { kind: 'pass' };
    case 'Failed':
      return onFailure === 'Pause' ? { kind: 'pause', reason: 'AnalysisFailed' } : { kind: 'abort' };
    case 'Inconclusive':
      return { kind: 'pause', reason: 'InconclusiveAnalysis' };
    case 'Error':
      return verdict.onError === 'Pause' ? { kind: 'pause', reason: 'AnalysisError' } : { kind: 'abort' };
  }
}

/** A human-readable account of a verdict. */
export function describeVerdict(verdict: VerdictFields): string {
  const detail = verdict.message === undefined ? '' : `: ${verdict.message}`;
  return `analysis run ${verdict.runId} ${verdict.verdict}${detail}`;
}
