import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { advance, MachineStateError, restore } from './advance.ts';
import { MACHINE_STATE_VERSION } from './context-schema.ts';
import { describe as describeState } from './describe.ts';
import { canarySpec } from './harness.ts';
import type { PersistedMachine } from './types.ts';

/** Stored by a serin of an earlier commit, before status.machine had a version. */
function fixture(name: string): { spec: ReturnType<typeof canarySpec>; machine: PersistedMachine } {
  const raw = JSON.parse(readFileSync(`test/fixtures/machine/${name}.json`, 'utf8')) as {
    spec: { steps: unknown };
    machine: PersistedMachine;
  };
  return { spec: canarySpec({ steps: raw.spec.steps as never }), machine: raw.machine };
}

describe('versioned machine state', () => {
  it.each(['unversioned-a8e43d8-paused', 'unversioned-paused'])(
    'state without a version (%s) restores, continues, and is written back with the version',
    (name) => {
      const { spec, machine } = fixture(name);
      expect(machine.version).toBeUndefined();
      expect(describeState(machine, spec)).toMatchObject({
        phase: 'Paused',
        pauseReason: 'Manual',
        revision: 'f6e7d8c9b0',
        currentStepIndex: 3,
        canaryWeight: 50,
      });
      const next = advance(machine, spec, {
        type: 'Approval',
        action: 'Promote',
        revision: 'f6e7d8c9b0',
        approver: 'alice',
      });
      expect(next.state.version).toBe(MACHINE_STATE_VERSION);
      expect(next.state.value).toBe('Promoting');
      // Fields the old shape lacked take their defaults.
      expect(next.state.context).toMatchObject({ gate: null, gatesPassed: [] });
    },
  );

  it('the a8e43d8 fixture really is the old shape: no rollout serial, no gates', () => {
    const { machine } = fixture('unversioned-a8e43d8-paused');
    expect(Object.keys(machine.context)).not.toContain('rollout');
    expect(Object.keys(machine.context)).not.toContain('gatesPassed');
  });

  it('refuses state from a newer serin instead of guessing', () => {
    const { spec, machine } = fixture('unversioned-paused');
    const newer = { ...machine, version: MACHINE_STATE_VERSION + 1 };
    expect(() => restore(newer, spec)).toThrow(MachineStateError);
    expect(() => restore(newer, spec)).toThrow(
      `status.machine.version is ${MACHINE_STATE_VERSION + 1}; this serin reads versions up to ${MACHINE_STATE_VERSION}`,
    );
    expect(() => restore({ ...machine, version: 0.5 }, spec)).toThrow(/status\.machine\.version is 0\.5/);
  });

  it('names the field of a context that does not parse', () => {
    const { spec, machine } = fixture('unversioned-paused');
    const broken = { ...machine, context: { ...machine.context, canaryWeight: '50' } };
    expect(() => restore(broken, spec)).toThrow(/^status\.machine\.context\.canaryWeight: /);
    const unknownPhase = { ...machine, value: 'Baking' };
    expect(() => restore(unknownPhase, spec)).toThrow('status.machine.value: unknown machine phase "Baking"');
    const gate = {
      ...machine,
      context: { ...machine.context, gate: { id: 'x', type: 'rollback', step: 0, message: null } },
    };
    expect(() => restore(gate, spec)).toThrow(/^status\.machine\.context\.gate\.type: /);
  });
});
