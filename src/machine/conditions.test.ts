import { describe, expect, it } from 'vitest';
import type { CanaryPhase, Condition } from '../api/index.ts';
import { computeConditions, type ConditionsInput } from './conditions.ts';

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-01T00:05:00.000Z';

function input(fields: Partial<ConditionsInput> & { phase: CanaryPhase }): ConditionsInput {
  return { generation: 3, observedGeneration: 3, previous: [], now: T0, message: 'm', ...fields };
}

const statusOf = (conditions: Condition[]) =>
  Object.fromEntries(conditions.map((c) => [c.type, c.status])) as Record<string, string>;

describe('kstatus conditions', () => {
  it('Ready=True only when Idle or Succeeded and the generation is observed', () => {
    expect(statusOf(computeConditions(input({ phase: 'Idle' })))).toEqual({
      Ready: 'True',
      Reconciling: 'False',
      Stalled: 'False',
    });
    expect(statusOf(computeConditions(input({ phase: 'Succeeded' }))).Ready).toBe('True');
    const stale = computeConditions(input({ phase: 'Idle', observedGeneration: 2 }));
    expect(statusOf(stale)).toEqual({ Ready: 'False', Reconciling: 'True', Stalled: 'False' });
    expect(stale[0]?.reason).toBe('NewGeneration');
  });

  it('Reconciling=True while initialising, progressing, paused or promoting', () => {
    for (const phase of ['Initializing', 'Progressing', 'Paused', 'Promoting'] as const) {
      expect(statusOf(computeConditions(input({ phase })))).toEqual({
        Ready: 'False',
        Reconciling: 'True',
        Stalled: 'False',
      });
    }
  });

  it('Stalled=True when aborted or failed', () => {
    for (const phase of ['Aborted', 'Failed'] as const) {
      const conditions = computeConditions(input({ phase, message: 'analysis failed' }));
      expect(statusOf(conditions)).toEqual({ Ready: 'False', Reconciling: 'False', Stalled: 'True' });
      expect(conditions.find((c) => c.type === 'Stalled')).toMatchObject({
        reason: phase,
        message: 'analysis failed',
      });
    }
  });

  it('Stalled=True with the reason when the spec is invalid, whatever the phase', () => {
    const conditions = computeConditions(
      input({ phase: 'Idle', invalid: { reason: 'InvalidSpec', message: 'steps[0]: bad' } }),
    );
    expect(statusOf(conditions)).toEqual({ Ready: 'False', Reconciling: 'False', Stalled: 'True' });
    expect(conditions.find((c) => c.type === 'Stalled')).toMatchObject({
      reason: 'InvalidSpec',
      message: 'steps[0]: bad',
    });
  });

  it('Reconciling=True and Ready=False with the reason while a failed pass is retried, whatever the phase', () => {
    for (const phase of ['Idle', 'Progressing', 'Aborted'] as const) {
      const conditions = computeConditions(
        input({ phase, failing: { reason: 'ApiServerError', message: 'get x: boom' } }),
      );
      expect(statusOf(conditions)).toEqual({ Ready: 'False', Reconciling: 'True', Stalled: 'False' });
      expect(conditions.find((c) => c.type === 'Reconciling')).toMatchObject({
        reason: 'ApiServerError',
        message: 'get x: boom',
      });
    }
  });

  it('changes lastTransitionTime only when a status flips', () => {
    const first = computeConditions(input({ phase: 'Progressing', now: T0 }));
    const still = computeConditions(input({ phase: 'Paused', now: T1, previous: first, message: 'paused' }));
    expect(still.map((c) => c.lastTransitionTime)).toEqual([T0, T0, T0]);
    expect(still.find((c) => c.type === 'Reconciling')?.message).toBe('paused');
    const done = computeConditions(input({ phase: 'Succeeded', now: T1, previous: still }));
    expect(Object.fromEntries(done.map((c) => [c.type, c.lastTransitionTime]))).toEqual({
      Ready: T1,
      Reconciling: T1,
      Stalled: T0,
    });
  });

  it('stamps each condition with the observed generation', () => {
    expect(
      computeConditions(input({ phase: 'Idle', observedGeneration: 3 })).map((c) => c.observedGeneration),
    ).toEqual([3, 3, 3]);
  });
});
