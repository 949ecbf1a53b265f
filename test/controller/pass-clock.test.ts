/**
 * The time a pass decides at: once its reads are in. A read may wait (for a cache to show serin's
 * own last write); a step started at the time the pass began would end that much sooner after its
 * weight is set.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { liveReader, type ClusterReader } from '../../src/controller/cluster-reader.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import { NS, startHarness, type Harness } from './harness.ts';
import { release, status } from './rollout-helpers.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe("a pass's clock", () => {
  it('starts a step at the time the reads came in, not when the pass began', async () => {
    h = await startHarness();
    const harness = h;
    await harness.pass();
    await harness.markRolledOut('podinfo-primary');
    await harness.pass();
    await release(harness, 'podinfo:2.0');
    await harness.pass();
    await harness.markRolledOut('podinfo');
    // The next pass's first read takes 5 s, as a read waiting for a cache can.
    const live = liveReader(harness.client);
    let waited = false;
    const slow: ClusterReader = {
      ...live,
      get: async (ref) => {
        if (!waited) {
          waited = true;
          harness.clock.advance(5_000);
        }
        return live.get(ref);
      },
    };
    const began = harness.clock.now();
    await reconcile({ ...harness.deps, reader: slow }, { namespace: NS, name: 'podinfo' });
    const after = await status(harness);
    expect(after.canaryWeight).toBe(20);
    // Step 1 (pause 1m) began once the reads were in: its minute counts from there.
    const canary = (await harness.get('Canary', 'podinfo'))?.status as { stepStartedAt?: string };
    expect(after.currentStepIndex).toBe(1);
    expect(Date.parse(canary.stepStartedAt ?? '')).toBe(began + 5_000);
  });
});
