import { ageText } from './age.ts';
import { canaryView } from './canary-view.ts';
import { phaseText } from './format.ts';
import { waitingFor, type WaitingInput } from './waiting.ts';

/** One Canary as a line of `serin get canaries`; every cell is text. */
export interface CanaryRow {
  readonly name: string;
  readonly namespace: string;
  readonly phase: string;
  /** `3/5`, or `-` outside a rollout. */
  readonly step: string;
  /** The canary's share of traffic, `10%`. */
  readonly weight: string;
  readonly waiting: string;
  /** Phase of the newest analysis run of the current revision, or `-`. */
  readonly analysis: string;
  readonly age: string;
  // wide
  readonly revision: string;
  readonly stable: string;
  readonly message: string;
}

/** A Canary (with its creation time) as {@link canaryRow} reads it. */
export interface RowInput extends WaitingInput {
  readonly metadata: WaitingInput['metadata'] & { readonly creationTimestamp?: string | undefined };
}

/** The row of one Canary at `now` (epoch ms). */
export function canaryRow(canary: RowInput, now: number): CanaryRow {
  const view = canaryView({ canary });
  return {
    name: view.name,
    namespace: view.namespace ?? '',
    phase: phaseText(view),
    step: view.step === undefined ? '-' : `${view.step.number}/${view.step.total}`,
    weight: `${view.weights.canary}%`,
    waiting: waitingFor(canary, now).short,
    analysis: view.analysis?.phase ?? '-',
    age: ageText(canary.metadata.creationTimestamp, now),
    revision: view.revision ?? '-',
    stable: view.stableRevision ?? '-',
    message: view.message ?? '',
  };
}
