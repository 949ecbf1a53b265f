import type { ApprovalAction } from '../api/index.ts';
import { isApproval } from './approvals.ts';
import { clockAfter, currentStep, kindOf } from './context.ts';
import { awaitedGate, dueGate, gateOutcome, isConfirmGate, type GateOutcome } from './gates.ts';
import { meaningOf, onFailureOf, type VerdictMeaning } from './rollout.ts';
import { stepComplete, stepEntered, weightPending } from './steps.ts';
import type { MachineContext, MachineEvent } from './types.ts';

interface GuardArgs {
  context: MachineContext;
  event: MachineEvent;
}

/** Steps move only when nothing holds them: not suspended, not skipping analysis, no webhook gate awaited. */
function stepsMay({ context, event }: GuardArgs): boolean {
  return !context.suspended && !event.spec.skipAnalysis && awaitedGate(context, event.spec) === null;
}

function verdictMatches(
  context: MachineContext,
  runId: string | null,
  event: MachineEvent,
  meaning: VerdictMeaning['kind'],
) {
  if (event.type !== 'AnalysisVerdict' && event.type !== 'BackgroundAnalysisVerdict') return false;
  return (
    runId !== null && event.runId === runId && meaningOf(event, onFailureOf(context, event)).kind === meaning
  );
}

function forRevision(context: MachineContext, event: MachineEvent): boolean {
  if (event.type !== 'CanaryReady' && event.type !== 'CanaryNotReady' && event.type !== 'PrimaryReady') {
    return false;
  }
  return event.revision === undefined || event.revision === context.revision;
}

/** The machine's guards, named so that the chart reads as the rules do. */
export const guards = {
  sameRevision: ({ context, event }: GuardArgs) =>
    event.type === 'NewRevision' && event.revision === context.revision,
  backToStable: ({ context, event }: GuardArgs) =>
    event.type === 'NewRevision' &&
    context.stableRevision !== null &&
    event.revision === context.stableRevision,
  forCurrentRevision: ({ context, event }: GuardArgs) => forRevision(context, event),

  /** skipAnalysis: promote as soon as the canary is ready, without steps or analysis. */
  skipAnalysisReady: ({ context, event }: GuardArgs) =>
    event.spec.skipAnalysis && context.canaryReady && !context.suspended,
  stepsExhausted: (args: GuardArgs) =>
    stepsMay(args) && !stepEntered(args.context) && args.context.stepIndex >= args.event.spec.steps.length,
  approvalStepDue: (args: GuardArgs) => {
    const step = currentStep(args.context, args.event.spec);
    return stepsMay(args) && !stepEntered(args.context) && step !== undefined && kindOf(step) === 'approval';
  },
  stepDue: (args: GuardArgs) =>
    stepsMay(args) && !stepEntered(args.context) && currentStep(args.context, args.event.spec) !== undefined,
  stepComplete: (args: GuardArgs) => stepsMay(args) && stepComplete(args.context, args.event.spec),
  /** A setWeight step under way whose canary is ready but whose weight is not set yet (e.g. after a pause). */
  setWeightPending: (args: GuardArgs) =>
    stepsMay(args) && args.context.canaryReady && weightPending(args.context, args.event.spec),

  /**
   * The canary did not become ready within progressDeadlineSeconds. Time spent in a pause step or
   * suspended never counts (AR #3534); the wait restarts when they end.
   */
  readinessDeadlinePassed: ({ context, event }: GuardArgs) => {
    if (context.suspended || context.readyWaitSince === null) return false;
    // Waiting on a confirm webhook gate is waiting for a decision, like a pause: not held against the canary.
    const gate = awaitedGate(context, event.spec);
    if (gate !== null && isConfirmGate(gate.type)) return false;
    if (context.stepStartedAt !== null && context.stepKind === 'pause') return false;
    const deadlineMs = event.spec.progressDeadlineSeconds * 1000;
    return clockAfter(context, event) - context.readyWaitSince >= deadlineMs;
  },
  promotionDeadlinePassed: ({ context, event }: GuardArgs) => {
    if (context.suspended || context.promotingSince === null) return false;
    const deadlineMs = event.spec.progressDeadlineSeconds * 1000;
    return clockAfter(context, event) - context.promotingSince >= deadlineMs;
  },
  /** Initializing has waited progressDeadlineSeconds for the primary (said once; suspended time not counted). */
  initDeadlinePassed: ({ context, event }: GuardArgs) => {
    if (context.initStalled || context.suspended || context.initializingSince === null) return false;
    const deadlineMs = event.spec.progressDeadlineSeconds * 1000;
    return clockAfter(context, event) - context.initializingSince >= deadlineMs;
  },
  promotionComplete: ({ context }: GuardArgs) => context.primaryReady && !context.suspended,
  hasPendingRevision: ({ context }: GuardArgs) => context.pendingRevision !== null,

  stepVerdict: ({ context, event }: GuardArgs, params: { meaning: VerdictMeaning['kind'] }) =>
    event.type === 'AnalysisVerdict' && verdictMatches(context, context.stepRunId, event, params.meaning),
  backgroundVerdict: ({ context, event }: GuardArgs, params: { meaning: VerdictMeaning['kind'] }) =>
    event.type === 'BackgroundAnalysisVerdict' &&
    verdictMatches(context, context.backgroundRunId, event, params.meaning),
  /** A webhook gate is due (confirm-rollout, pre-rollout, rollout, confirm-promotion) and not asked yet. */
  gateDue: (args: GuardArgs) =>
    !args.context.suspended &&
    !args.event.spec.skipAnalysis &&
    dueGate(args.context, args.event.spec) !== null,
  /** What a GateResult means now: pass, hold (confirm), abort, pause (onFailure) or rollback. */
  gate: ({ context, event }: GuardArgs, params: { outcome: GateOutcome }) =>
    gateOutcome(context, event) === params.outcome,
  approval: ({ context, event }: GuardArgs, params: { actions: readonly ApprovalAction[] }) =>
    isApproval(context, event, params.actions),
  /** Paused by a Failed analysis (onFailure Pause): only Retry, Abort or a reasoned PromoteFull leave it. */
  failedPause: ({ context }: GuardArgs) => context.pauseReason === 'AnalysisFailed',
  /** A PromoteFull over a failed analysis must say why. */
  unreasonedPromoteOverFailure: ({ context, event }: GuardArgs) =>
    context.pauseReason === 'AnalysisFailed' &&
    isApproval(context, event, ['PromoteFull']) &&
    event.type === 'Approval' &&
    (event.reason ?? '').trim() === '',
};
