import type { CanaryPhase, Condition } from '../api/index.ts';

/** What the kstatus conditions are computed from. */
export interface ConditionsInput {
  readonly phase: CanaryPhase;
  /** `metadata.generation` of the Canary. */
  readonly generation: number | undefined;
  /** The generation this status describes (what the controller writes to `status.observedGeneration`). */
  readonly observedGeneration: number | undefined;
  /** The conditions currently in status; their transition times are kept when the status is unchanged. */
  readonly previous: readonly Condition[] | undefined;
  /** The time of this decision (ISO). */
  readonly now: string;
  readonly message: string;
  /** The spec could not be used: the Canary is Stalled until it is fixed. */
  readonly invalid?: { readonly reason: string; readonly message: string } | undefined;
  /**
   * The last pass failed on something a retry may clear (an API error, a conflict): the Canary is
   * Reconciling with that reason, and not Ready, until a pass succeeds.
   */
  readonly failing?: { readonly reason: string; readonly message: string } | undefined;
}

const STEADY: readonly CanaryPhase[] = ['Idle', 'Succeeded'];
const WORKING: readonly CanaryPhase[] = ['Initializing', 'Progressing', 'Paused', 'Promoting'];
const STOPPED: readonly CanaryPhase[] = ['Aborted', 'Failed'];

type Status = Condition['status'];

function condition(
  input: ConditionsInput,
  wanted: { type: string; status: Status; reason: string; message: string },
): Condition {
  const before = input.previous?.find((c) => c.type === wanted.type);
  // kstatus: the transition time moves only when the status flips.
  const lastTransitionTime =
    before !== undefined && before.status === wanted.status ? before.lastTransitionTime : input.now;
  return {
    ...wanted,
    lastTransitionTime,
    ...(input.observedGeneration === undefined ? {} : { observedGeneration: input.observedGeneration }),
  };
}

interface Verdicts {
  readonly ready: boolean;
  readonly reconciling: boolean;
  readonly stalled: boolean;
  /** Why, when nothing more specific applies: the phase, or NewGeneration while it is unobserved. */
  readonly reason: string;
}

function verdictsOf(input: ConditionsInput): Verdicts {
  const current = input.generation === undefined || input.observedGeneration === input.generation;
  if (input.invalid !== undefined) {
    return { ready: false, reconciling: false, stalled: true, reason: input.invalid.reason };
  }
  if (input.failing !== undefined) {
    return { ready: false, reconciling: true, stalled: false, reason: input.failing.reason };
  }
  return {
    ready: current && STEADY.includes(input.phase),
    reconciling: !current || WORKING.includes(input.phase),
    // kstatus: never Reconciling and Stalled at once. A spec not yet acted on is being reconciled;
    // the abort it may have been written to fix is not the Canary's state any more.
    stalled: current && STOPPED.includes(input.phase),
    reason: current ? input.phase : 'NewGeneration',
  };
}

const statusOf = (value: boolean): Status => (value ? 'True' : 'False');

/**
 * The kstatus conditions of a Canary: Ready=True only when Idle or Succeeded with the current
 * generation observed; Reconciling=True while a rollout (or a new generation) is being worked on, or
 * while a failed pass is retried; Stalled=True when aborted, failed or invalid. All three are always
 * present.
 */
export function computeConditions(input: ConditionsInput): Condition[] {
  const verdicts = verdictsOf(input);
  const message = input.invalid?.message ?? input.failing?.message ?? input.message;
  return [
    condition(input, { type: 'Ready', status: statusOf(verdicts.ready), reason: verdicts.reason, message }),
    condition(input, {
      type: 'Reconciling',
      status: statusOf(verdicts.reconciling),
      reason: verdicts.reason,
      message: verdicts.reconciling ? message : '',
    }),
    condition(input, {
      type: 'Stalled',
      status: statusOf(verdicts.stalled),
      reason: verdicts.reason,
      message: verdicts.stalled ? message : '',
    }),
  ];
}
