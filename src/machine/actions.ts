import { applied, rejected } from './approvals.ts';
import { gateOps } from './gates.ts';
import { event, weights } from './context.ts';
import {
  beginPromotion,
  describeVerdict,
  endRollout,
  finishPromotion,
  meaningOf,
  onFailureOf,
  pause,
  pauseOnFailure,
  resume,
  returnToStable,
  startRevision,
} from './rollout.ts';
import {
  applyPendingWeight,
  completeStep,
  enterStep,
  reconcileSpec,
  tickStep,
  weightPending,
} from './steps.ts';
import type { MachineContext, MachineEvent, Outcome } from './types.ts';

/** One decision of the machine: pure, from the clock-updated context and the event to an outcome. */
type Op<P = undefined> = (context: MachineContext, event: MachineEvent, params: P) => Outcome;

const same = (context: MachineContext): Outcome => ({ context, effects: [] });

function then(first: Outcome, second: (context: MachineContext) => Outcome): Outcome {
  const next = second(first.context);
  return { context: next.context, effects: [...first.effects, ...next.effects] };
}

function verdictPause(context: MachineContext, event: MachineEvent, clear: 'step' | 'background'): Outcome {
  if (event.type !== 'AnalysisVerdict' && event.type !== 'BackgroundAnalysisVerdict') return same(context);
  const meaning = meaningOf(event, onFailureOf(context, event));
  if (meaning.kind !== 'pause') return same(context);
  if (meaning.reason === 'AnalysisFailed') return pauseOnFailure(context, describeVerdict(event));
  // An inconclusive step run has ended: a Promote continues with the next step.
  const cleared: MachineContext =
    clear === 'step'
      ? { ...context, stepRunId: null, stepDone: true }
      : { ...context, backgroundRunId: null };
  return pause(cleared, meaning.reason, describeVerdict(event));
}

function suspend(context: MachineContext): Outcome {
  if (context.suspended) return same(context);
  return { context: { ...context, suspended: true }, effects: [event('Suspended', 'progression suspended')] };
}

function unsuspend(context: MachineContext): Outcome {
  if (!context.suspended) return same(context);
  // Suspended time is never held against the canary: running waits restart now.
  const resumed: MachineContext = {
    ...context,
    suspended: false,
    readyWaitSince: context.readyWaitSince === null ? null : context.now,
    promotingSince: context.promotingSince === null ? null : context.now,
    initializingSince: context.initializingSince === null ? null : context.now,
  };
  return { context: resumed, effects: [event('Unsuspended', 'progression resumed')] };
}

function approverOf(event: MachineEvent): string {
  return event.type === 'Approval' ? event.approver : 'unknown';
}

/** The machine's actions, each a pure operation; the chart names them. */
export const ops = {
  observeClock: same,
  enterStep: (context, event) => enterStep(context, event.spec),
  completeStep: (context) => completeStep(context),
  tick: (context, event) => tickStep(context, event.spec),

  applyPendingWeight: (context, event) => applyPendingWeight(context, event.spec),
  canaryReady: (context, event) => {
    const ready = { ...context, canaryReady: true, readyWaitSince: null };
    // A weight that waited for the canary is set now; either way a ready canary ends the step.
    if (weightPending(ready, event.spec)) return applyPendingWeight(ready, event.spec);
    const inSetWeight = context.stepKind === 'setWeight' && context.stepStartedAt !== null;
    return same({ ...ready, stepDone: context.stepDone || inSetWeight });
  },
  canaryNotReady: (context) => ({
    context: { ...context, canaryReady: false, readyWaitSince: context.readyWaitSince ?? context.now },
    effects: [],
  }),
  noteCanaryReadiness: (context, event) =>
    same(
      event.type === 'CanaryReady'
        ? { ...context, canaryReady: true, readyWaitSince: null }
        : { ...context, canaryReady: false },
    ),

  startRevision: (context, event, params) =>
    event.type === 'NewRevision'
      ? startRevision(context, { revision: event.revision, attempt: 1, midRollout: params.midRollout })
      : same(context),
  startPendingRevision: (context) =>
    context.pendingRevision === null
      ? same(context)
      : startRevision(context, { revision: context.pendingRevision, attempt: 1, midRollout: false }),
  pendRevision: (context, event) =>
    same(event.type === 'NewRevision' ? { ...context, pendingRevision: event.revision } : context),
  retry: (context) =>
    startRevision(context, {
      revision: context.revision ?? '',
      attempt: context.attempt + 1,
      midRollout: false,
    }),
  returnToStable: (context, event) => returnToStable(context, event.spec),

  abortOnVerdict: (context, event) =>
    event.type === 'AnalysisVerdict' || event.type === 'BackgroundAnalysisVerdict'
      ? endRollout(context, event.spec, {
          outcome: 'Aborted',
          reason: 'AnalysisFailed',
          message: describeVerdict(event),
        })
      : same(context),
  abortByApproval: (context, event) =>
    endRollout(context, event.spec, {
      outcome: 'Aborted',
      reason: 'Aborted',
      message: `aborted by ${approverOf(event)}`,
    }),
  failReadiness: (context, event) =>
    endRollout(context, event.spec, {
      outcome: 'Failed',
      reason: 'ProgressDeadlineExceeded',
      message: `canary ${context.revision ?? ''} not ready within ${event.spec.progressDeadlineSeconds}s`,
    }),
  failPromotion: (context, event) =>
    endRollout(context, event.spec, {
      outcome: 'Failed',
      reason: 'PromotionFailed',
      message: `primary not ready within ${event.spec.progressDeadlineSeconds}s of promoting ${context.revision ?? ''}`,
    }),

  pauseOnStepVerdict: (context, event) => verdictPause(context, event, 'step'),
  pauseOnBackgroundVerdict: (context, event) => verdictPause(context, event, 'background'),
  passStepRun: (context) => same({ ...context, stepRunId: null, stepDone: true }),
  passBackgroundRun: (context) => same({ ...context, backgroundRunId: null }),
  pauseByApproval: (context, event) => pause(context, 'Manual', `paused by ${approverOf(event)}`),
  resume: (context) => resume(context),

  beginPromotion: (context) => beginPromotion(context),
  notePrimaryReady: (context) => same({ ...context, primaryReady: true }),
  finishPromotion: (context, event) => finishPromotion(context, event.spec),
  /** An abort during Promoting: the primary may already run the aborted template; the stable one goes back. */
  restoreStablePrimary: (context) => ({
    context,
    effects: [{ type: 'promoteTemplateToPrimary', revision: context.stableRevision, restore: true }],
  }),

  adoptRevision: (context, event) =>
    event.type === 'NewRevision'
      ? {
          context: { ...context, revision: event.revision },
          effects: [{ type: 'promoteTemplateToPrimary', revision: event.revision }],
        }
      : same(context),
  initialize: (context) => ({
    context: { ...context, initializingSince: context.now },
    effects: [
      { type: 'promoteTemplateToPrimary', revision: context.revision },
      event('Initializing', 'creating primary'),
    ],
  }),
  stallInitialization: (context, observed) => {
    const message = `primary for revision ${context.revision ?? 'unknown'} not ready within progressDeadlineSeconds (${observed.spec.progressDeadlineSeconds}s) of creation: check the primary Deployment's pods and events`;
    return {
      context: { ...context, initStalled: true, message },
      effects: [event('InitializationStalled', message, 'Warning')],
    };
  },
  becomeIdle: (context) => ({
    context: {
      ...context,
      stableRevision: context.revision,
      canaryWeight: 0,
      message: null,
      initializingSince: null,
      initStalled: false,
    },
    effects: [
      weights(0),
      { type: 'scaleCanary', replicas: 0 },
      event('Initialized', `primary ready at ${context.revision ?? 'unknown revision'}`),
    ],
  }),

  recordApplied: (context, event) => ({ context, effects: applied(context, event) }),
  reject: (context, event, params) => ({
    context,
    effects: rejected(context, event, params.phase, params.reason),
  }),

  /** The spec is the source of truth for suspend; steps or runs it no longer has are let go. */
  specChanged: (context, event) =>
    then(event.spec.suspend ? suspend(context) : unsuspend(context), (next) =>
      reconcileSpec(next, event.spec),
    ),
  suspend: (context) => suspend(context),
  unsuspend: (context) => unsuspend(context),
  /** In a finished phase the flag is remembered for the next revision, silently. */
  noteSuspension: (context, event) =>
    same({
      ...context,
      suspended: event.type === 'Suspend' || (event.type !== 'Unsuspend' && event.spec.suspend),
    }),
  ...gateOps,
} satisfies {
  observeClock: Op;
  startRevision: Op<{ midRollout: boolean }>;
  reject: Op<{ phase: string; reason?: string }>;
  [name: string]: Op<never>;
};

export type OpName = keyof typeof ops;
