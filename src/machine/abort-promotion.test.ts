import { describe, expect, it } from 'vitest';
import { canarySpec, Harness } from './harness.ts';

const DEADLINE_S = 60;
const spec = canarySpec({ steps: [{ setWeight: 20 }, { pause: {} }], progressDeadlineSeconds: DEADLINE_S });

/** v2 promoted (PromoteFull at its approval step): the primary is being given v2's template. */
function promoting(): Harness {
  const h = new Harness(spec, { stable: 'v1' });
  h.rollOut('v2');
  h.approve({ action: 'PromoteFull', revision: 'v2' });
  expect(h.phase).toBe('Promoting');
  expect(h.effects).toContainEqual({ type: 'promoteTemplateToPrimary', revision: 'v2' });
  return h;
}

describe('an abort during Promoting undoes the template already copied into the primary', () => {
  it('an Abort approval while Promoting puts the stable template back into the primary, after the weights', () => {
    const h = promoting();
    h.approve({ action: 'Abort', revision: 'v2' });
    expect(h.phase).toBe('Aborted');
    const restore = { type: 'promoteTemplateToPrimary', revision: 'v1', restore: true };
    expect(h.effects).toContainEqual(restore);
    // Traffic leaves the canary first; the primary's template goes back in the same pass.
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
    expect(h.status.stableRevision).toBe('v1');
  });

  it('a promotion that misses its deadline fails and puts the stable template back', () => {
    const h = promoting();
    h.send({ type: 'Tick', now: h.now + DEADLINE_S * 1000 });
    expect(h.phase).toBe('Failed');
    expect(h.effects).toContainEqual({ type: 'promoteTemplateToPrimary', revision: 'v1', restore: true });
  });

  it('an abort before Promoting restores nothing: the primary never left the stable template', () => {
    const h = new Harness(spec, { stable: 'v1' });
    h.rollOut('v2');
    h.approve({ action: 'Abort', revision: 'v2' });
    expect(h.phase).toBe('Aborted');
    expect(h.effectsOfType('promoteTemplateToPrimary')).toEqual([]);
  });

  it('a finished promotion is never undone', () => {
    const h = promoting();
    h.send({ type: 'PrimaryReady' });
    expect(h.phase).toBe('Succeeded');
    h.approve({ action: 'Abort', revision: 'v2' });
    expect(h.effectsOfType('promoteTemplateToPrimary')).toEqual([]);
  });
});
