import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { CANARY_PHASES, type CanaryPhase, type CanarySpec } from '../api/index.ts';
import { MACHINE_STATE_VERSION, MachineContextSchema } from './context-schema.ts';
import { initialContext } from './context.ts';
import { canaryMachine } from './machine.ts';
import type { CanaryEvent, Effect, MachineContext, PersistedMachine } from './types.ts';

/** A live xstate snapshot of the canary machine. */
export type CanarySnapshot = SnapshotFrom<typeof canaryMachine>;

/** The next persisted state and the effects to carry out, in order. */
export interface Step {
  readonly state: PersistedMachine;
  readonly effects: Effect[];
}

/** The persisted state cannot be restored (not a phase, or not an object). */
export class MachineStateError extends Error {
  readonly code = 'MACHINE_STATE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'MachineStateError';
  }
}

function effectsOf(actions: readonly { type: string; params?: unknown }[]): Effect[] {
  return actions.filter((action) => action.type === 'effect').map((action) => action.params as Effect);
}

/** The persisted form of a snapshot: its version, the phase and the context, nothing else. */
export function persist(snapshot: CanarySnapshot): PersistedMachine {
  return { version: MACHINE_STATE_VERSION, value: snapshot.value, context: { ...snapshot.context } };
}

function isPhase(value: unknown): value is CanaryPhase {
  return typeof value === 'string' && (CANARY_PHASES as readonly string[]).includes(value);
}

/** The version, phase and context of stored state, or a MachineStateError saying which is wrong. */
function checkEnvelope(persisted: PersistedMachine): CanaryPhase {
  if (typeof persisted !== 'object' || Array.isArray(persisted)) {
    throw new MachineStateError('status.machine is not an object');
  }
  const { version } = persisted;
  if (
    version !== undefined &&
    (!Number.isInteger(version) || version < 1 || version > MACHINE_STATE_VERSION)
  ) {
    throw new MachineStateError(
      `status.machine.version is ${JSON.stringify(version)}; this serin reads versions up to ${MACHINE_STATE_VERSION} ` +
        '(state written by a newer serin: run that version, or one that knows it)',
    );
  }
  if (!isPhase(persisted.value)) {
    throw new MachineStateError(
      `status.machine.value: unknown machine phase ${JSON.stringify(persisted.value)}`,
    );
  }
  if (typeof persisted.context !== 'object' || Array.isArray(persisted.context)) {
    throw new MachineStateError('status.machine.context is not an object');
  }
  return persisted.value;
}

/**
 * Restores a snapshot from its persisted form. State without a version (written before versions
 * existed) and state of this version are read the same way: fields missing from an older context
 * take their initial values, so adding a field never strands a Canary. Every field is then parsed,
 * and a newer version, a phase this code does not know or a field of the wrong type is refused with
 * a MachineStateError naming it: the controller stalls the Canary rather than guess.
 */
export function restore(persisted: PersistedMachine, spec: CanarySpec): CanarySnapshot {
  const phase = checkEnvelope(persisted);
  const saved = persisted.context as Partial<MachineContext>;
  const filled = { ...initialContext(spec, typeof saved.now === 'number' ? saved.now : 0), ...saved };
  const parsed = MachineContextSchema.safeParse(filled);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = ['status.machine.context', ...(issue?.path ?? []).map(String)].join('.');
    throw new MachineStateError(`${path}: ${issue?.message ?? 'invalid'}`);
  }
  return canaryMachine.resolveState({ value: phase, context: parsed.data });
}

/** The phase of a snapshot. */
export function phaseOf(snapshot: CanarySnapshot): CanaryPhase {
  const value: unknown = snapshot.value;
  if (!isPhase(value)) throw new MachineStateError(`unknown machine phase ${JSON.stringify(value)}`);
  return value;
}

/**
 * Creates the machine for a new Canary: its primary is created from the target's template.
 * `revision`, when known, is the template hash the primary starts from.
 */
export function initialMachine(spec: CanarySpec, now: number, options: { revision?: string } = {}): Step {
  const { snapshot, effects } = initialSnapshot(spec, now, options);
  return { state: persist(snapshot), effects };
}

/** `initialMachine` as a live snapshot, for callers that keep the snapshot in memory. */
export function initialSnapshot(
  spec: CanarySpec,
  now: number,
  options: { revision?: string } = {},
): { snapshot: CanarySnapshot; effects: Effect[] } {
  const [snapshot, actions] = initialTransition(canaryMachine, { spec, now, ...options });
  return { snapshot, effects: effectsOf(actions) };
}

/**
 * Advances a live snapshot by one event. Pure and deterministic; `advance` is this plus the
 * persistence codec.
 */
export function advanceSnapshot(
  snapshot: CanarySnapshot,
  spec: CanarySpec,
  event: CanaryEvent,
): { snapshot: CanarySnapshot; effects: Effect[] } {
  // A stopped or failed actor would still accept events through transition(): refuse instead.
  if (snapshot.status !== 'active') return { snapshot, effects: [] };
  const [next, actions] = transition(canaryMachine, snapshot, { ...event, spec });
  return { snapshot: next, effects: effectsOf(actions) };
}

/**
 * Decides what a Canary does next: restores the persisted state, applies one event under the given
 * spec and returns the next persisted state with the effects to carry out in order. Pure; restoring
 * and continuing gives the same result as never having stopped.
 */
export function advance(persisted: PersistedMachine, spec: CanarySpec, event: CanaryEvent): Step {
  const { snapshot, effects } = advanceSnapshot(restore(persisted, spec), spec, event);
  return { state: persist(snapshot), effects };
}

/** Applies several events in order, collecting every effect. */
export function advanceAll(
  persisted: PersistedMachine,
  spec: CanarySpec,
  events: readonly CanaryEvent[],
): Step {
  let state = persisted;
  const effects: Effect[] = [];
  for (const event of events) {
    const step = advance(state, spec, event);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects };
}
