import { expect } from 'vitest';
import type { KubeObject } from '../../src/kube/index.ts';
import type { Harness } from './harness.ts';
import { NS } from './harness.ts';

interface CanaryStatusView {
  phase: string;
  canaryWeight?: number;
  currentStepIndex?: number;
  revision?: string;
  stableRevision?: string;
  pauseReason?: string;
  message?: string;
  canaryScaleDownAt?: string;
  approvals?: { name?: string; action: string; result?: string; approver: string }[];
  analysis?: {
    runId: string;
    phase: string;
    metrics: { name: string; measurements: { value?: string; phase: string }[] }[];
  }[];
}

export async function status(h: Harness): Promise<CanaryStatusView> {
  const canary = await h.get('Canary', 'podinfo');
  return canary?.status as CanaryStatusView;
}

/** Runs passes until the Canary is Idle with 100% on primary. */
export async function toIdle(h: Harness): Promise<void> {
  await h.pass();
  await h.markRolledOut('podinfo-primary');
  await h.pass();
  expect((await status(h)).phase).toBe('Idle');
}

/** Changes the target's pod template: a new revision. */
export async function release(h: Harness, image: string): Promise<void> {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'podinfo' };
  await h.client.jsonPatch(ref, [
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: image },
  ]);
}

export async function replicas(h: Harness, name: string): Promise<number | undefined> {
  return ((await h.get('Deployment', name))?.spec as { replicas?: number }).replicas;
}

export async function image(h: Harness, name: string): Promise<string> {
  const spec = (await h.get('Deployment', name))?.spec as {
    template: { spec: { containers: { image: string }[] } };
  };
  return spec.template.spec.containers[0]!.image;
}

export async function approve(h: Harness, action: string, step?: number): Promise<string> {
  const revision = (await status(h)).revision ?? '';
  const created = await h.client.create<KubeObject>({
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'Approval',
    metadata: { generateName: `podinfo-${action.toLowerCase()}-`, namespace: NS },
    spec: {
      canaryRef: { name: 'podinfo' },
      action,
      revision,
      approver: 'oncall@example.com',
      ...(step === undefined ? {} : { step }),
    },
  });
  return created.metadata.name ?? '';
}

/** Starts the rollout of a new revision and brings it to the end of step 0 (setWeight 20, canary ready). */
export async function startRollout(h: Harness, imageName = 'podinfo:2.0'): Promise<void> {
  await release(h, imageName);
  await h.pass();
  expect(await replicas(h, 'podinfo')).toBe(2);
  // Traffic moves only to a ready canary.
  expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
  await h.markRolledOut('podinfo');
  await h.pass();
}
