import { describe as group, expect, it } from 'vitest';
import { advanceAll, initialMachine } from './advance.ts';
import { describe } from './describe.ts';
import { canarySpec } from './harness.ts';

const spec = canarySpec({ progressDeadlineSeconds: 60 });

group('the Initializing deadline', () => {
  it('Initializing without a ready primary for progressDeadlineSeconds is stalled with a clear message, once', () => {
    const { state } = initialMachine(spec, 0, { revision: 'v1' });
    const early = advanceAll(state, spec, [{ type: 'Tick', now: 59_999 }]);
    expect(describe(early.state, spec).initializationStalled).toBeUndefined();
    const late = advanceAll(early.state, spec, [{ type: 'Tick', now: 60_000 }]);
    const view = describe(late.state, spec);
    expect(view).toMatchObject({ phase: 'Initializing', initializationStalled: true });
    expect(view.message).toBe(
      "primary for revision v1 not ready within progressDeadlineSeconds (60s) of creation: check the primary Deployment's pods and events",
    );
    expect(late.effects).toEqual([
      { type: 'emitEvent', reason: 'InitializationStalled', message: view.message, severity: 'Warning' },
    ]);
    expect(advanceAll(late.state, spec, [{ type: 'Tick', now: 120_000 }]).effects).toEqual([]);
  });

  it('a primary that becomes ready after the deadline still makes the Canary Idle', () => {
    const { state } = initialMachine(spec, 0, { revision: 'v1' });
    const stalled = advanceAll(state, spec, [{ type: 'Tick', now: 61_000 }]);
    const idle = advanceAll(stalled.state, spec, [{ type: 'PrimaryReady', revision: 'v1', now: 62_000 }]);
    expect(describe(idle.state, spec).phase).toBe('Idle');
    expect(describe(idle.state, spec).initializationStalled).toBeUndefined();
  });

  it('suspended time does not count toward the Initializing deadline', () => {
    const suspended = canarySpec({ progressDeadlineSeconds: 60, suspend: true });
    const { state } = initialMachine(suspended, 0, { revision: 'v1' });
    const later = advanceAll(state, suspended, [{ type: 'Tick', now: 600_000 }]);
    expect(describe(later.state, suspended).initializationStalled).toBeUndefined();
  });
});
