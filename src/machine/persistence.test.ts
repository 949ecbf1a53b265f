import { describe, expect, it } from 'vitest';
import type { CanarySpec } from '../api/index.ts';
import { advance, advanceSnapshot, initialSnapshot, MachineStateError, persist, restore } from './advance.ts';
import { canarySpec } from './harness.ts';
import type { CanaryEvent, PersistedMachine } from './types.ts';

const spec = canarySpec({
  steps: [
    { setWeight: 10 },
    { pause: { duration: '2m' } },
    { analysis: { templates: [{ templateName: 'step' }], args: [{ name: 'service', value: 'app' }] } },
    { pause: {} },
    { setWeight: 60 },
  ],
  analysis: { templates: [{ templateName: 'bg' }], startingStep: 1 },
  progressDeadlineSeconds: 300,
});

const approve = (action: 'Promote' | 'Abort' | 'Retry' | 'PromoteFull', revision = 'v2'): CanaryEvent => ({
  type: 'Approval',
  action,
  revision,
  approver: 'alice',
});

const SCENARIOS: Record<string, CanaryEvent[]> = {
  'a full rollout': [
    { type: 'PrimaryReady' },
    { type: 'NewRevision', revision: 'v2', now: 1_000 },
    { type: 'CanaryReady' },
    { type: 'Tick', now: 60_000 },
    { type: 'Tick', now: 121_000 },
    { type: 'AnalysisVerdict', runId: 'v2-r1-s2', verdict: 'Successful' },
    approve('Promote'),
    { type: 'Tick', now: 200_000 },
    { type: 'PrimaryReady' },
  ],
  'an abort and a retry': [
    { type: 'PrimaryReady' },
    { type: 'NewRevision', revision: 'v2' },
    { type: 'CanaryReady' },
    { type: 'Tick', now: 200_000 },
    { type: 'BackgroundAnalysisVerdict', runId: 'v2-r1-bg', verdict: 'Failed' },
    { type: 'Tick', now: 300_000 },
    approve('Retry'),
    { type: 'CanaryReady' },
    { type: 'Tick', now: 500_000 },
  ],
  'an inconclusive pause and a new revision': [
    { type: 'PrimaryReady' },
    { type: 'NewRevision', revision: 'v2' },
    { type: 'CanaryReady' },
    { type: 'Tick', now: 120_000 },
    { type: 'AnalysisVerdict', runId: 'v2-r1-s2', verdict: 'Inconclusive' },
    { type: 'Suspend' },
    { type: 'NewRevision', revision: 'v3' },
    { type: 'Unsuspend' },
    { type: 'CanaryNotReady' },
    { type: 'Tick', now: 500_000 },
    { type: 'Tick', now: 900_000 },
  ],
};

describe('persistence', () => {
  for (const [name, events] of Object.entries(SCENARIOS)) {
    it(`restoring after every event of ${name} equals never stopping`, () => {
      let live = initialSnapshot(spec, 0, { revision: 'v1' }).snapshot;
      let saved = JSON.parse(JSON.stringify(persist(live))) as PersistedMachine;
      const phases: unknown[] = [];
      for (const event of events) {
        const uninterrupted = advanceSnapshot(live, spec, event);
        const restored = advance(saved, spec, event);
        expect(restored.effects).toEqual(uninterrupted.effects);
        expect(restored.state).toEqual(persist(uninterrupted.snapshot));
        live = uninterrupted.snapshot;
        saved = JSON.parse(JSON.stringify(restored.state)) as PersistedMachine;
        phases.push(saved.value);
      }
      // The scenario really moved through phases; a run stuck in one phase would prove little.
      expect(new Set(phases).size).toBeGreaterThan(2);
    });
  }

  it('stores small JSON without a copy of the spec', () => {
    let state = persist(initialSnapshot(spec, 0, { revision: 'v1' }).snapshot);
    for (const event of SCENARIOS['a full rollout'] ?? []) state = advance(state, spec, event).state;
    const json = JSON.stringify(state);
    expect(json.length).toBeLessThan(1_000);
    expect(json).not.toContain('templateName');
    expect(json).not.toContain('setWeight');
  });

  it('follows the spec passed with each event, not one remembered from before', () => {
    const before: CanarySpec = canarySpec({ steps: [{ setWeight: 10 }, { setWeight: 20 }] });
    const after: CanarySpec = canarySpec({ steps: [{ setWeight: 10 }, { setWeight: 35 }] });
    let state = persist(initialSnapshot(before, 0).snapshot);
    for (const event of [
      { type: 'PrimaryReady' },
      { type: 'NewRevision', revision: 'v2' },
    ] as CanaryEvent[]) {
      state = advance(state, before, event).state;
    }
    expect(advance(state, after, { type: 'CanaryReady' }).effects).toContainEqual({
      type: 'setWeights',
      primary: 65,
      canary: 35,
    });
  });

  it('fills fields missing from an older persisted context with their initial values', () => {
    const state = persist(initialSnapshot(spec, 0, { revision: 'v1' }).snapshot);
    const { pendingRevision: _dropped, ...older } = state.context;
    const snapshot = restore({ value: 'Idle', context: older }, spec);
    expect(snapshot.context.pendingRevision).toBeNull();
  });

  it('refuses a persisted state that is not a phase, with a coded error', () => {
    expect(() => restore({ value: 'Exploded', context: {} }, spec)).toThrow(MachineStateError);
    expect(() => restore({ value: { nested: true }, context: {} }, spec)).toThrow(
      expect.objectContaining({ code: 'MACHINE_STATE_INVALID' }),
    );
  });
});
