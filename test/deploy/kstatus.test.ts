/**
 * Flux (and `kubectl wait`, kpt, cli-utils) read a Canary's health with kstatus. These tests compute
 * kstatus' verdict the way sigs.k8s.io/cli-utils/pkg/kstatus does for a custom resource (generation
 * not yet observed → InProgress; Reconciling=True → InProgress; Stalled=True → Failed; otherwise
 * Current) over every phase the controller can write, and check the rules kstatus sets for the
 * conditions themselves.
 */
import { describe, expect, it } from 'vitest';
import { CANARY_PHASES, type CanaryPhase, type Condition } from '../../src/api/index.ts';
import { computeConditions, type ConditionsInput } from '../../src/machine/index.ts';

type KStatus = 'InProgress' | 'Failed' | 'Current';

function kstatus(generation: number, observedGeneration: number, conditions: readonly Condition[]): KStatus {
  if (observedGeneration !== generation) return 'InProgress';
  const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (isTrue('Reconciling')) return 'InProgress';
  if (isTrue('Stalled')) return 'Failed';
  return 'Current';
}

const NOW = '2026-11-21T22:00:00.000Z';
const LATER = '2026-11-21T22:05:00.000Z';

function conditionsFor(phase: CanaryPhase, fields: Partial<ConditionsInput> = {}): Condition[] {
  return computeConditions({
    phase,
    generation: 4,
    observedGeneration: 4,
    previous: [],
    now: NOW,
    message: 'm',
    ...fields,
  });
}

const statusOf = (conditions: readonly Condition[], type: string) =>
  conditions.find((c) => c.type === type)?.status;

const EXPECTED: Record<CanaryPhase, KStatus> = {
  Initializing: 'InProgress',
  Idle: 'Current',
  Progressing: 'InProgress',
  Paused: 'InProgress',
  Promoting: 'InProgress',
  Succeeded: 'Current',
  Aborted: 'Failed',
  Failed: 'Failed',
};

const variants = CANARY_PHASES.flatMap((phase) => [
  { phase, label: `${phase}, generation observed`, fields: {} },
  { phase, label: `${phase}, a newer generation`, fields: { generation: 5 } },
  { phase, label: `${phase}, invalid spec`, fields: { invalid: { reason: 'InvalidSpec', message: 'bad' } } },
]);

describe('kstatus', () => {
  it.each(CANARY_PHASES.map((p) => [p, EXPECTED[p]] as const))(
    'a %s Canary reads as %s',
    (phase, expected) => {
      expect(kstatus(4, 4, conditionsFor(phase))).toBe(expected);
    },
  );

  it.each(CANARY_PHASES)('a %s Canary whose spec is invalid reads as Failed', (phase) => {
    expect(kstatus(4, 4, conditionsFor(phase, { invalid: { reason: 'InvalidSpec', message: 'bad' } }))).toBe(
      'Failed',
    );
  });

  it.each(variants.map((v) => [v.label, v] as const))(
    'Ready, Reconciling and Stalled are all present, and Ready is neither Reconciling nor Stalled (%s)',
    (_label, v) => {
      const conditions = conditionsFor(v.phase, v.fields);
      expect(conditions.map((c) => c.type).sort()).toEqual(['Ready', 'Reconciling', 'Stalled']);
      for (const c of conditions) expect(['True', 'False']).toContain(c.status);
      const ready = statusOf(conditions, 'Ready') === 'True';
      const reconciling = statusOf(conditions, 'Reconciling') === 'True';
      const stalled = statusOf(conditions, 'Stalled') === 'True';
      expect(ready).toBe(!reconciling && !stalled);
    },
  );

  it.each(variants.map((v) => [v.label, v] as const))(
    'Reconciling and Stalled are never both True (%s)',
    (_label, v) => {
      const conditions = conditionsFor(v.phase, v.fields);
      expect(
        statusOf(conditions, 'Reconciling') === 'True' && statusOf(conditions, 'Stalled') === 'True',
      ).toBe(false);
    },
  );

  it('a newer generation reads as InProgress until the controller observes it, whatever the phase', () => {
    for (const phase of CANARY_PHASES) {
      const conditions = conditionsFor(phase, { generation: 5 });
      expect(kstatus(5, 4, conditions)).toBe('InProgress');
      expect(statusOf(conditions, 'Reconciling')).toBe('True');
    }
  });

  it('every condition carries the observedGeneration it describes', () => {
    for (const c of conditionsFor('Progressing', { generation: 5, observedGeneration: 4 }))
      expect(c.observedGeneration).toBe(4);
  });

  it('lastTransitionTime moves only when a condition’s status flips', () => {
    const before = conditionsFor('Progressing');
    const still = computeConditions({
      phase: 'Paused',
      generation: 4,
      observedGeneration: 4,
      previous: before,
      now: LATER,
      message: 'm',
    });
    expect(still.find((c) => c.type === 'Reconciling')?.lastTransitionTime).toBe(NOW);
    const done = computeConditions({
      phase: 'Succeeded',
      generation: 4,
      observedGeneration: 4,
      previous: before,
      now: LATER,
      message: 'm',
    });
    expect(done.find((c) => c.type === 'Reconciling')?.lastTransitionTime).toBe(LATER);
    expect(done.find((c) => c.type === 'Stalled')?.lastTransitionTime).toBe(NOW);
  });
});
