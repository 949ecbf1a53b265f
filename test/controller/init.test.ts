import { afterEach, describe, expect, it } from 'vitest';
import { NS, startHarness, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h.stop());

describe('first reconcile', () => {
  it('creates <target>-primary and both Services labelled with the Canary (not owned), then waits for the primary', async () => {
    h = await startHarness();
    await h.pass();
    const primary = await h.get('Deployment', 'podinfo-primary');
    expect(primary?.metadata.ownerReferences).toBeUndefined();
    expect(primary?.metadata.labels?.['serin.dev/canary']).toBe('podinfo');
    expect((primary?.spec as { selector: unknown }).selector).toEqual({
      matchLabels: { app: 'podinfo-primary' },
    });
    for (const name of ['podinfo-primary', 'podinfo-canary']) {
      const service = await h.get('Service', name);
      expect(service?.metadata.ownerReferences).toBeUndefined();
      expect(service?.metadata.labels?.['serin.dev/canary']).toBe('podinfo');
    }
    const canary = await h.get('Canary', 'podinfo');
    expect((canary?.status as { phase: string }).phase).toBe('Initializing');
    // The target still serves while the primary is not available: nothing is scaled or routed.
    expect((await h.get('Deployment', 'podinfo'))?.spec).toMatchObject({ replicas: 2 });
  });

  it('routes 100% to primary and scales the target to 0 once the primary is available: Idle', async () => {
    h = await startHarness();
    await h.pass();
    await h.markRolledOut('podinfo-primary');
    await h.pass();
    const canary = await h.get('Canary', 'podinfo');
    expect(canary?.status).toMatchObject({ phase: 'Idle', canaryWeight: 0 });
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    expect((await h.get('Deployment', 'podinfo'))?.spec).toMatchObject({ replicas: 0 });
    const conditions = (canary?.status as { conditions: { type: string; status: string }[] }).conditions;
    expect(conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(NS).toBe('test');
  });

  it('writes nothing on a pass where nothing changed but the time, so it never wakes itself', async () => {
    h = await startHarness();
    await h.pass();
    await h.markRolledOut('podinfo-primary');
    await h.pass();
    const before = (await h.get('Canary', 'podinfo'))?.metadata.resourceVersion;
    h.clock.advance(60_000);
    await h.pass();
    await h.pass();
    expect((await h.get('Canary', 'podinfo'))?.metadata.resourceVersion).toBe(before);
  });

  it('Initializing past progressDeadlineSeconds without a ready primary is Stalled with a clear message and an Event, traffic untouched', async () => {
    h = await startHarness();
    const before = await h.vsYaml();
    await h.pass();
    h.clock.advance(600_000);
    await h.pass();
    const status = (await h.get('Canary', 'podinfo'))?.status as {
      phase: string;
      message: string;
      conditions: { type: string; status: string; reason: string }[];
    };
    expect(status.phase).toBe('Initializing');
    expect(status.message).toMatch(
      /^primary for revision \w+ not ready within progressDeadlineSeconds \(600s\)/,
    );
    expect(status.conditions.find((c) => c.type === 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'InitializationDeadlineExceeded',
    });
    expect((await h.events()).find((e) => e.reason === 'InitializationStalled')?.type).toBe('Warning');
    expect(await h.vsYaml()).toBe(before);
    await h.markRolledOut('podinfo-primary');
    await h.pass();
    expect((await h.get('Canary', 'podinfo'))?.status).toMatchObject({ phase: 'Idle' });
  });
});
