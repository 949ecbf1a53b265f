import type { CanaryPhase, CanarySpec, PauseReason } from '../api/index.ts';
import { phaseOf, restore, type CanarySnapshot } from './advance.ts';
import { currentStep, isoOf, pauseMsOf } from './context.ts';
import { awaitedGate, gatesToCall } from './gates.ts';
import type { GateAsk, MachineContext, PersistedMachine } from './types.ts';

/** What the controller copies into `Canary.status`, read from the machine's state. */
export interface MachineStatus {
  readonly phase: CanaryPhase;
  readonly revision?: string;
  readonly stableRevision?: string;
  /** The step under way (or where a rollout stopped); absent when no rollout is under way. */
  readonly currentStepIndex?: number;
  readonly stepStartedAt?: string;
  readonly canaryWeight: number;
  readonly pauseReason?: PauseReason;
  readonly message: string;
  /** Analysis runs that should be running now: the step's, then the background one. */
  readonly activeRunIds: readonly string[];
  readonly stepRunId?: string;
  readonly backgroundRunId?: string;
  /** 1 for a revision's first rollout, +1 per Retry. */
  readonly attempt: number;
  readonly suspended: boolean;
  /** A revision that arrived during Promoting and starts once it ends. */
  readonly pendingRevision?: string;
  /** Initializing passed its deadline without a ready primary (the message says so). */
  readonly initializationStalled?: true;
  /** Webhook gates the controller should call now (the awaited gate, the polled rollback gate); absent when none. */
  readonly gates?: readonly GateAsk[];
  /**
   * When the earliest progress deadline the machine is counting runs out (epoch ms): the canary's
   * readiness, the primary's after promoting, or initialization. A pass must come by then.
   */
  readonly deadlineAt?: number;
}

const ROLLOUT_PHASES: readonly CanaryPhase[] = ['Progressing', 'Paused', 'Promoting', 'Aborted', 'Failed'];

function stepLabel(context: MachineContext, spec: CanarySpec): string {
  return `step ${Math.min(context.stepIndex + 1, spec.steps.length)}/${spec.steps.length}`;
}

function progressingMessage(context: MachineContext, spec: CanarySpec): string {
  const label = stepLabel(context, spec);
  if (context.suspended) return `suspended at ${label}`;
  if (spec.skipAnalysis) return 'skipping analysis: waiting for the canary to be ready before promoting';
  const gate = awaitedGate(context, spec);
  if (gate !== null) {
    const answer = gate.message === null ? '' : ` (last answer: ${gate.message})`;
    return `${label}: waiting for the ${gate.type} webhook gate${answer}`;
  }
  const step = currentStep(context, spec);
  if (step === undefined || context.stepStartedAt === null) return `${label}: starting`;
  if ('setWeight' in step) {
    return context.canaryReady
      ? `${label}: canary weight ${context.canaryWeight}%`
      : `${label}: canary weight ${context.canaryWeight}%, waiting for the canary to be ready`;
  }
  if ('analysis' in step) return `${label}: analysis ${context.stepRunId ?? 'finished'}`;
  const pauseMs = pauseMsOf(step);
  return pauseMs === undefined
    ? `${label}: waiting for an Approval (Promote)`
    : `${label}: paused until ${isoOf(context.stepStartedAt + pauseMs)}`;
}

function messageOf(phase: CanaryPhase, context: MachineContext, spec: CanarySpec): string {
  const revision = context.revision ?? 'unknown revision';
  switch (phase) {
    case 'Initializing':
      return context.initStalled && context.message !== null ? context.message : 'creating primary';
    case 'Idle':
      return `steady at ${context.stableRevision ?? revision}`;
    case 'Progressing':
      return `${revision} ${progressingMessage(context, spec)}`;
    case 'Paused':
      return context.message ?? `${revision} paused at ${stepLabel(context, spec)}`;
    case 'Promoting':
      return `promoting ${revision}: waiting for primary to be ready`;
    case 'Succeeded':
      return `${revision} promoted`;
    case 'Aborted':
    case 'Failed':
      return context.message ?? `${revision} ${phase.toLowerCase()}`;
  }
}

function gatesField(gates: GateAsk[]): { gates?: readonly GateAsk[] } {
  return gates.length === 0 ? {} : { gates };
}

/** Reads the persisted machine as the status fields a person (and `serin status`) sees. */
export function describe(persisted: PersistedMachine, spec: CanarySpec): MachineStatus {
  return describeSnapshot(restore(persisted, spec), spec);
}

/** `describe` for a live snapshot. */
export function describeSnapshot(snapshot: CanarySnapshot, spec: CanarySpec): MachineStatus {
  const phase = phaseOf(snapshot);
  const context = snapshot.context;
  const inRollout = ROLLOUT_PHASES.includes(phase);
  const activeRunIds = [context.stepRunId, context.backgroundRunId].filter((id) => id !== null);
  return {
    phase,
    ...(context.revision === null ? {} : { revision: context.revision }),
    ...(context.stableRevision === null ? {} : { stableRevision: context.stableRevision }),
    ...(inRollout ? { currentStepIndex: context.stepIndex } : {}),
    ...(inRollout && context.stepStartedAt !== null ? { stepStartedAt: isoOf(context.stepStartedAt) } : {}),
    canaryWeight: context.canaryWeight,
    ...(phase === 'Paused' && context.pauseReason !== null ? { pauseReason: context.pauseReason } : {}),
    message: messageOf(phase, context, spec),
    activeRunIds,
    ...(context.stepRunId === null ? {} : { stepRunId: context.stepRunId }),
    ...(context.backgroundRunId === null ? {} : { backgroundRunId: context.backgroundRunId }),
    attempt: context.attempt,
    suspended: context.suspended,
    ...(context.pendingRevision === null ? {} : { pendingRevision: context.pendingRevision }),
    ...(phase === 'Initializing' && context.initStalled ? { initializationStalled: true as const } : {}),
    ...gatesField(gatesToCall(context, spec, phase)),
    ...deadlineField(context, spec),
  };
}

/** The earliest deadline counting (see the guards of the same names): never while suspended. */
function deadlineField(context: MachineContext, spec: CanarySpec): { deadlineAt?: number } {
  if (context.suspended) return {};
  const since = [
    context.readyWaitSince,
    context.promotingSince,
    context.initStalled ? null : context.initializingSince,
  ].filter((at) => at !== null);
  return since.length === 0 ? {} : { deadlineAt: Math.min(...since) + spec.progressDeadlineSeconds * 1000 };
}
