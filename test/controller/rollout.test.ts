import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';
import { approve, image, release, replicas, startRollout, status, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

const SECOND = 1000;

describe('a full rollout driven tick by tick', () => {
  it('promotes a healthy revision: weights step up, the analysis passes, on-call approves, primary runs it', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
    expect(await status(h)).toMatchObject({ phase: 'Progressing', currentStepIndex: 1, canaryWeight: 20 });

    h.clock.advance(30 * SECOND);
    await h.pass();
    expect((await status(h)).currentStepIndex).toBe(1);
    h.clock.advance(31 * SECOND);
    await h.pass();
    expect((await status(h)).currentStepIndex).toBe(2);

    h.provider.set('success_rate', 0.99);
    await h.pass();
    h.clock.advance(10 * SECOND);
    await h.pass();
    const afterAnalysis = await status(h);
    expect(afterAnalysis.analysis?.[0]).toMatchObject({ phase: 'Successful' });
    expect(afterAnalysis.analysis?.[0]?.metrics[0]?.measurements.map((m) => m.value)).toEqual([
      '0.99',
      '0.99',
    ]);
    await h.pass();
    expect(await h.weights()).toEqual({ primary: 50, canary: 50 });
    await h.pass();
    expect(await status(h)).toMatchObject({ phase: 'Paused', pauseReason: 'Manual', currentStepIndex: 4 });

    const approval = await approve(h, 'Promote', 4);
    await h.pass();
    expect((await status(h)).phase).toBe('Promoting');
    expect(await image(h, 'podinfo-primary')).toBe('podinfo:2.0');
    const applied = await h.get('Approval', approval);
    expect(applied?.status).toMatchObject({ phase: 'Applied' });

    await h.markRolledOut('podinfo-primary');
    await h.pass();
    const done = await status(h);
    expect(done).toMatchObject({ phase: 'Succeeded', canaryWeight: 0 });
    expect(done.approvals?.map((a) => [a.name, a.action, a.result, a.approver])).toEqual([
      [approval, 'Promote', 'Applied', 'oncall@example.com'],
    ]);
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    // scaleDownDelaySeconds (default 30): the canary keeps its pods while proxies drain.
    expect(await replicas(h, 'podinfo')).toBe(2);
    expect(done.canaryScaleDownAt).toBe(new Date(h.clock.now() + 30 * SECOND).toISOString());
    h.clock.advance(30 * SECOND);
    await h.pass();
    expect(await replicas(h, 'podinfo')).toBe(0);
  });

  it('aborts on a failed analysis: canary weight 0 first, scale-down only after the delay', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    h.clock.advance(61 * SECOND);
    await h.pass();
    h.provider.set('success_rate', 0.81);
    await h.pass();
    const aborted = await status(h);
    expect(aborted.phase).toBe('Aborted');
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    expect(await replicas(h, 'podinfo')).toBe(2);
    expect(aborted.canaryScaleDownAt).toBe(new Date(h.clock.now() + 30 * SECOND).toISOString());
    const events = await h.events();
    expect(events.map((e) => e.message).join('\n')).toMatch(/0\.81/);

    h.clock.advance(29 * SECOND);
    await h.pass();
    expect(await replicas(h, 'podinfo')).toBe(2);
    h.clock.advance(2 * SECOND);
    await h.pass();
    expect(await replicas(h, 'podinfo')).toBe(0);
    expect((await status(h)).canaryScaleDownAt).toBeUndefined();
  });

  it('pauses on an inconclusive analysis and continues when on-call approves', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    h.clock.advance(61 * SECOND);
    await h.pass();
    await h.pass();
    expect(await status(h)).toMatchObject({ phase: 'Paused', pauseReason: 'InconclusiveAnalysis' });
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });

    h.clock.advance(3600 * SECOND);
    await h.pass();
    expect((await status(h)).phase).toBe('Paused');
    await approve(h, 'Promote');
    await h.pass();
    await h.pass();
    expect(await h.weights()).toEqual({ primary: 50, canary: 50 });
  });

  it('restarts at step 0 with canary weight 0 when a new revision arrives mid-rollout', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    const first = (await status(h)).revision;
    await release(h, 'podinfo:3.0');
    await h.pass();
    const restarted = await status(h);
    expect(restarted.revision).not.toBe(first);
    expect(restarted).toMatchObject({ phase: 'Progressing', currentStepIndex: 0 });
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    await h.markRolledOut('podinfo');
    await h.pass();
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
  });

  it('goes straight to promotion on PromoteFull, skipping the remaining steps and analysis', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    await approve(h, 'PromoteFull');
    await h.pass();
    expect((await status(h)).phase).toBe('Promoting');
    await h.markRolledOut('podinfo-primary');
    await h.pass();
    expect((await status(h)).phase).toBe('Succeeded');
    expect(h.provider.sent).toHaveLength(0);
    expect(await image(h, 'podinfo-primary')).toBe('podinfo:2.0');
  });

  it('rejects an approval for another revision and records why', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    const created = await h.client.create({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Approval',
      metadata: { name: 'stale', namespace: 'test' },
      spec: {
        canaryRef: { name: 'podinfo' },
        action: 'PromoteFull',
        revision: 'not-this-one',
        approver: 'alice',
      },
    });
    await h.pass();
    expect((await status(h)).phase).toBe('Progressing');
    expect((await h.get('Approval', created.metadata.name))?.status).toMatchObject({
      phase: 'Rejected',
    });
  });
});
