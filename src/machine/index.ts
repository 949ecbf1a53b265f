/**
 * The canary state machine: phases, events, guards and effect descriptors. No I/O — the controller
 * feeds it events and carries out the effects it returns. See docs/state-machine.md.
 */
export type {
  ApprovalInput,
  CanaryEvent,
  CanaryEventType,
  Effect,
  EffectType,
  NotifyKind,
  OnError,
  PersistedMachine,
  Verdict,
  VerdictFields,
} from './types.ts';
export {
  advance,
  advanceAll,
  advanceSnapshot,
  initialMachine,
  initialSnapshot,
  MachineStateError,
  persist,
  restore,
  type CanarySnapshot,
  type Step,
} from './advance.ts';
export { describe, describeSnapshot, type MachineStatus } from './describe.ts';
export { computeConditions, type ConditionsInput } from './conditions.ts';
export { backgroundRunIdFor, stepRunIdFor } from './context.ts';
export { canaryMachine, type CanaryMachine } from './machine.ts';
export { gateIdFor, webhookNames } from './gates.ts';
export type { GateAsk, GateResultFields } from './types.ts';
export { previewApproval, type ApprovalPreview } from './preview.ts';
