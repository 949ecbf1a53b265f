import { describe, expect, it } from 'vitest';
import { canarySpec, Harness } from './harness.ts';

const DEADLINE_S = 120;
const DEADLINE = DEADLINE_S * 1000;

describe('the progress deadline', () => {
  it('fails the rollout when the canary is not ready within progressDeadlineSeconds', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 20 }], progressDeadlineSeconds: DEADLINE_S }));
    h.send({ type: 'Tick', now: 1_000 }, { type: 'NewRevision', revision: 'v2' });
    h.send({ type: 'CanaryNotReady' }, { type: 'Tick', now: 1_000 + DEADLINE - 1 });
    expect(h.phase).toBe('Progressing');
    h.send({ type: 'Tick', now: 1_000 + DEADLINE });
    expect(h.phase).toBe('Failed');
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
    expect(h.effects[1]).toEqual({ type: 'scaleCanaryDownAfter', seconds: 30 });
    expect(h.effectsOfType('emitEvent')[0]?.reason).toBe('ProgressDeadlineExceeded');
  });

  it('does not fire once the canary became ready', () => {
    const h = new Harness(
      canarySpec({ steps: [{ setWeight: 20 }, { pause: {} }], progressDeadlineSeconds: DEADLINE_S }),
    );
    h.send({ type: 'NewRevision', revision: 'v2' }, { type: 'CanaryReady' });
    h.send({ type: 'Tick', now: 10 * DEADLINE });
    expect(h.phase).toBe('Paused');
  });

  it('restarts when a ready canary stops being ready, and fires after the full deadline', () => {
    const h = new Harness(
      canarySpec({
        steps: [{ analysis: { templates: [{ templateName: 't' }] } }],
        progressDeadlineSeconds: DEADLINE_S,
      }),
    );
    h.send({ type: 'NewRevision', revision: 'v2' }, { type: 'CanaryReady' });
    h.send({ type: 'Tick', now: 50_000 }, { type: 'CanaryNotReady' });
    h.send({ type: 'Tick', now: 50_000 + DEADLINE - 1 });
    expect(h.phase).toBe('Progressing');
    h.send({ type: 'Tick', now: 50_000 + DEADLINE });
    expect(h.phase).toBe('Failed');
  });

  it('never fires while paused (AR #3534): the wait restarts when the pause ends', () => {
    const h = new Harness(
      canarySpec({ steps: [{ setWeight: 20 }, { setWeight: 40 }], progressDeadlineSeconds: DEADLINE_S }),
    );
    h.send({ type: 'NewRevision', revision: 'v2' });
    h.approve({ action: 'Pause', revision: 'v2' });
    h.send({ type: 'Tick', now: 100 * DEADLINE });
    expect(h.phase).toBe('Paused');
    h.approve({ action: 'Resume', revision: 'v2' });
    h.send({ type: 'Tick', now: 100 * DEADLINE + 1 });
    expect(h.phase).toBe('Progressing');
    h.send({ type: 'Tick', now: 101 * DEADLINE });
    expect(h.phase).toBe('Failed');
  });

  it('never fires during a timed pause step, even with the canary not ready', () => {
    const h = new Harness(
      canarySpec({
        steps: [{ pause: { duration: '1h' } }, { setWeight: 40 }],
        progressDeadlineSeconds: DEADLINE_S,
      }),
    );
    h.send({ type: 'NewRevision', revision: 'v2' }, { type: 'CanaryNotReady' });
    h.send({ type: 'Tick', now: 3_600_000 - 1 });
    expect(h.phase).toBe('Progressing');
    h.send({ type: 'Tick', now: 3_600_000 });
    expect(h.status.currentStepIndex).toBe(1);
    h.send({ type: 'Tick', now: 3_600_000 + DEADLINE - 1 });
    expect(h.phase).toBe('Progressing');
    h.send({ type: 'Tick', now: 3_600_000 + DEADLINE });
    expect(h.phase).toBe('Failed');
  });

  it('never fires while suspended', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 20 }], progressDeadlineSeconds: DEADLINE_S }));
    h.send({ type: 'NewRevision', revision: 'v2' }, { type: 'Suspend' });
    h.send({ type: 'Tick', now: 50 * DEADLINE });
    expect(h.phase).toBe('Progressing');
    h.send({ type: 'Unsuspend' }, { type: 'Tick', now: 50 * DEADLINE + 1 });
    expect(h.phase).toBe('Progressing');
  });

  it('fails a promotion whose primary is not ready within the deadline', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 50 }], progressDeadlineSeconds: DEADLINE_S }));
    h.send({ type: 'Tick', now: 5_000 });
    h.rollOut('v2');
    expect(h.phase).toBe('Promoting');
    h.send({ type: 'Tick', now: 5_000 + DEADLINE - 1 });
    expect(h.phase).toBe('Promoting');
    h.send({ type: 'Tick', now: 5_000 + DEADLINE });
    expect(h.phase).toBe('Failed');
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
    expect(h.effectsOfType('emitEvent')[0]?.reason).toBe('PromotionFailed');
  });
});
