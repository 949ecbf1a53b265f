import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.ts';
import { canary, NS, startHarness, type Harness } from './harness.ts';
import { approve, release, replicas, startRollout, status, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

const SECOND = 1000;
const HPA = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace: NS };

function hpa(name: string, target: string, maxReplicas = 10): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: 2,
      maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
  };
}

/** Plays the HPA controller: it counts replicas in the HPA's status and writes them to its Deployment. */
async function autoscale(name: string, deployment: string, count: number): Promise<void> {
  await h.client.mergePatch(
    { ...HPA, name },
    { status: { currentReplicas: count, desiredReplicas: count } },
    { subresource: 'status' },
  );
  await h.client.mergePatch(
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: deployment },
    { spec: { replicas: count } },
  );
}

async function hpaSpec(name: string): Promise<Record<string, unknown> | undefined> {
  return (await h.client.find({ ...HPA, name }))?.spec as Record<string, unknown> | undefined;
}

async function weightsAndStalled(): Promise<{ weights: unknown; stalled: unknown }> {
  const s = (await h.get('Canary', 'podinfo'))?.status as {
    conditions?: { type: string; status: string; reason?: string }[];
  };
  return {
    weights: await h.weights(),
    stalled: s.conditions?.find((c) => c.type === 'Stalled'),
  };
}

describe('an HPA on the target', () => {
  it('gives the primary its own copy <hpa>-primary, retargeted to <target>-primary, and keeps it in sync', async () => {
    h = await startHarness();
    await h.client.create(hpa('podinfo', 'podinfo'));
    await toIdle(h);
    const copy = await hpaSpec('podinfo-primary');
    expect(copy).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo-primary' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: (hpa('podinfo', 'podinfo').spec as { metrics: unknown }).metrics,
    });
    const labels = (await h.client.get({ ...HPA, name: 'podinfo-primary' })).metadata.labels;
    expect(labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'serin', 'serin.dev/canary': 'podinfo' });
    // The user's HPA is never touched.
    expect((await hpaSpec('podinfo'))?.scaleTargetRef).toMatchObject({ name: 'podinfo' });

    await h.client.mergePatch({ ...HPA, name: 'podinfo' }, { spec: { maxReplicas: 12, minReplicas: 3 } });
    await h.pass();
    expect(await hpaSpec('podinfo-primary')).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
  });

  it('wakes the idle canary to the replicas the primary HPA counts now, then never writes replicas the HPA owns', async () => {
    h = await startHarness();
    await h.client.create(hpa('podinfo', 'podinfo'));
    await toIdle(h);
    // Idle: the target is parked at 0, the one write an HPA allows (it does not scale from 0).
    expect(await replicas(h, 'podinfo')).toBe(0);
    await autoscale('podinfo-primary', 'podinfo-primary', 5);

    await release(h, 'podinfo:2.0');
    await h.pass();
    expect(await replicas(h, 'podinfo')).toBe(5);
    await h.markRolledOut('podinfo');
    await h.pass();
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });

    // The user's HPA scales the canary down for its 20% of the traffic: serin leaves it there.
    await autoscale('podinfo', 'podinfo', 2);
    await h.markRolledOut('podinfo');
    h.clock.advance(61 * SECOND);
    await h.pass();
    await h.pass();
    expect(await replicas(h, 'podinfo')).toBe(2);
    // A new revision mid-rollout scales the canary "to the primary" again: not against the HPA.
    await release(h, 'podinfo:3.0');
    await h.pass();
    expect(await replicas(h, 'podinfo')).toBe(2);
    await h.markRolledOut('podinfo');
    await h.pass();

    // Promotion: the primary keeps the count its HPA gave it; the canary is parked at 0 after the delay.
    await approve(h, 'PromoteFull');
    await h.pass();
    await h.markRolledOut('podinfo-primary');
    await h.pass();
    expect((await status(h)).phase).toBe('Succeeded');
    expect(await replicas(h, 'podinfo-primary')).toBe(5);
    expect(await replicas(h, 'podinfo')).toBe(2);
    h.clock.advance(31 * SECOND);
    await h.pass();
    expect(await replicas(h, 'podinfo')).toBe(0);
  });

  it('without an HPA status yet, the canary follows the primary Deployment, within the HPA bounds', async () => {
    h = await startHarness();
    await h.client.create(hpa('podinfo', 'podinfo'));
    await toIdle(h);
    await h.client.mergePatch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'podinfo-primary' },
      { spec: { replicas: 1 } },
    );
    await release(h, 'podinfo:2.0');
    await h.pass();
    // 1 is below the HPA's minReplicas (2).
    expect(await replicas(h, 'podinfo')).toBe(2);
  });
});

describe('bad autoscaler input stalls the Canary, names the object, and moves no traffic', () => {
  it('an autoscalerRef naming an HPA that scales another Deployment', async () => {
    h = await startHarness();
    await h.client.create(hpa('other', 'other-app'));
    await toIdle(h);
    await startRollout(h);
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
    await h.client.mergePatch(
      { apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', namespace: NS, name: 'podinfo' },
      {
        spec: {
          autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'other' },
        },
      },
    );
    h.clock.advance(61 * SECOND);
    await h.pass();
    expect(await weightsAndStalled()).toMatchObject({
      weights: { primary: 80, canary: 20 },
      stalled: { status: 'True', reason: 'AutoscalerTargetMismatch' },
    });
    const event = (await h.events()).find((e) => e.reason === 'AutoscalerTargetMismatch');
    expect(event?.type).toBe('Warning');
    expect(event?.message).toContain('HorizontalPodAutoscaler "other" scales Deployment "other-app"');
    expect(await h.client.find({ ...HPA, name: 'other-primary' })).toBeUndefined();
  });

  it('two HPAs on the target are ambiguous until the Canary names one', async () => {
    h = await startHarness({ canary: canary() });
    await h.client.create(hpa('a', 'podinfo'));
    await h.client.create(hpa('b', 'podinfo'));
    await h.pass();
    const stalled = await weightsAndStalled();
    expect(stalled.stalled).toMatchObject({ status: 'True', reason: 'AmbiguousAutoscaler' });
    expect(await h.get('Deployment', 'podinfo-primary')).toBeUndefined();
  });
});
