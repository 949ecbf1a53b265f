import { CanarySpec, type CanarySpecInput } from '../api/index.ts';
import { advance, initialMachine } from './advance.ts';
import { describe as describeState, type MachineStatus } from './describe.ts';
import type { ApprovalInput, CanaryEvent, Effect, PersistedMachine } from './types.ts';

/** A valid Canary spec with the given fields, defaults applied (for tests and examples). */
export function canarySpec(fields: Partial<CanarySpecInput> = {}): CanarySpec {
  return CanarySpec.parse({
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' },
    service: { name: 'app', port: 80 },
    trafficRouting: { istio: { virtualServices: [{ name: 'app' }] } },
    steps: [{ setWeight: 20 }],
    ...fields,
  });
}

/**
 * Drives the machine the way the controller will: one event at a time through the persisted form.
 * Tests read `effects` (of the last event), `phase` and `status`.
 */
export class Harness {
  state: PersistedMachine;
  spec: CanarySpec;
  effects: Effect[] = [];
  readonly history: Effect[] = [];
  now: number;

  /** A Canary whose primary became ready at `stable`: the machine is Idle. */
  constructor(spec: CanarySpec, options: { now?: number; stable?: string } = {}) {
    this.spec = spec;
    this.now = options.now ?? 0;
    const initial = initialMachine(spec, this.now, { revision: options.stable ?? 'stable' });
    this.state = initial.state;
    this.history.push(...initial.effects);
    this.send({ type: 'PrimaryReady' });
  }

  /** Applies events in order; `effects` holds the effects of all of them. */
  send(...events: CanaryEvent[]): Effect[] {
    this.effects = [];
    for (const event of events) {
      const step = advance(this.state, this.spec, event);
      this.state = step.state;
      this.effects.push(...step.effects);
      if (event.type === 'Tick') this.now = Math.max(this.now, event.now);
    }
    this.history.push(...this.effects);
    return this.effects;
  }

  /** Moves the clock forward by `ms` with a Tick. */
  tick(ms: number): Effect[] {
    return this.send({ type: 'Tick', now: this.now + ms });
  }

  /** Starts a rollout of `revision` and reports the canary ready, entering the first step. */
  rollOut(revision: string): Effect[] {
    return this.send({ type: 'NewRevision', revision }, { type: 'CanaryReady' });
  }

  /** Sends an Approval, by alice unless another approver is named. */
  approve(approval: Omit<ApprovalInput, 'approver'> & { approver?: string }): Effect[] {
    return this.send({ type: 'Approval', approver: 'alice', ...approval });
  }

  get status(): MachineStatus {
    return describeState(this.state, this.spec);
  }

  get phase(): MachineStatus['phase'] {
    return this.status.phase;
  }

  /** The effects of the last event of the given type. */
  effectsOfType<T extends Effect['type']>(type: T): Extract<Effect, { type: T }>[] {
    return this.effects.filter((effect): effect is Extract<Effect, { type: T }> => effect.type === type);
  }
}
