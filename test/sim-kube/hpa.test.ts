/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   client-node declares its models as classes but sends plain JSON; object literals are how it is used. */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, startSim, type SimClients } from './helpers.ts';

let c: SimClients;
let autoscaling: k8s.AutoscalingV2Api;
beforeAll(async () => {
  c = await startSim();
  autoscaling = c.kc.makeApiClient(k8s.AutoscalingV2Api);
  await c.core.createNamespace({ body: { metadata: { name: 'hpa' } } });
});
afterAll(async () => c.sim.stop());

const BASE = '/apis/autoscaling/v2/namespaces/hpa/horizontalpodautoscalers';

function hpa(name: string, spec: Record<string, unknown> = {}): k8s.V2HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      maxReplicas: 5,
      ...spec,
    },
  };
}

describe('autoscaling/v2 HorizontalPodAutoscaler in the simulator', () => {
  it('is discoverable as hpa in group autoscaling, with a status subresource', async () => {
    const list = await raw(c.sim, 'GET', '/apis/autoscaling/v2');
    const names = (list.body.resources as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(['horizontalpodautoscalers', 'horizontalpodautoscalers/status']);
  });

  it('defaults minReplicas to 1 and starts at generation 1', async () => {
    const created = await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace: 'hpa',
      body: hpa('a'),
    });
    expect(created.spec?.minReplicas).toBe(1);
    expect(created.metadata?.generation).toBe(1);
  });

  it('rejects maxReplicas below minReplicas and a missing scaleTargetRef name, naming the fields', async () => {
    const bad = hpa('b', { minReplicas: 3, maxReplicas: 2, scaleTargetRef: { kind: 'Deployment' } });
    const res = await raw(c.sim, 'POST', BASE, bad);
    expect(res.status).toBe(422);
    const fields = (res.body.details.causes as { field: string }[]).map((cause) => cause.field);
    expect(fields).toEqual(['spec.scaleTargetRef.name', 'spec.maxReplicas']);
  });

  it('keeps status apart: a spec write ignores status, a status write changes only status and not the generation', async () => {
    await autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'hpa', body: hpa('c') });
    const status = { currentReplicas: 3, desiredReplicas: 4 };
    const put = await raw(c.sim, 'PATCH', `${BASE}/c/status`, { status }, 'application/merge-patch+json');
    expect(put.status).toBe(200);
    expect(put.body.status).toMatchObject(status);
    expect(put.body.metadata.generation).toBe(1);
    const spec = await raw(
      c.sim,
      'PATCH',
      `${BASE}/c`,
      { spec: { maxReplicas: 9 }, status: { currentReplicas: 1 } },
      'application/merge-patch+json',
    );
    expect(spec.body.spec.maxReplicas).toBe(9);
    expect(spec.body.status.currentReplicas).toBe(3);
    expect(spec.body.metadata.generation).toBe(2);
  });
});
