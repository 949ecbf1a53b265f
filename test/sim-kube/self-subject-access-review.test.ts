import { afterEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';

let sim: KubeSim;
afterEach(async () => sim.stop());

const PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

async function review(
  token: string,
  resourceAttributes: Record<string, string> | undefined,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}${PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: resourceAttributes === undefined ? {} : { resourceAttributes },
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const createApprovals = { namespace: 'shop', verb: 'create', group: 'serin.dev', resource: 'approvals' };

describe('SelfSubjectAccessReview', () => {
  it('answers allowed: false exactly where the deny list would refuse the request', async () => {
    sim = await startKubeSim({ port: 0, namespaces: ['shop'] });
    sim.forbid({ user: 'eve', verb: 'create', resource: 'approvals', namespace: 'shop' });
    const eve = sim.kubeconfigFor('eve').users[0]!.token;
    const bob = sim.kubeconfigFor('bob').users[0]!.token;
    const denied = await review(eve, createApprovals);
    expect(denied.status).toBe(201);
    expect(denied.body).toMatchObject({
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: createApprovals },
      status: { allowed: false },
    });
    expect(await review(eve, { ...createApprovals, verb: 'list' })).toMatchObject({
      body: { status: { allowed: true } },
    });
    expect(await review(eve, { ...createApprovals, namespace: 'other' })).toMatchObject({
      body: { status: { allowed: true } },
    });
    expect(await review(bob, createApprovals)).toMatchObject({ body: { status: { allowed: true } } });
  });

  it('refuses a review without resource attributes as invalid (422)', async () => {
    sim = await startKubeSim({ port: 0 });
    const bob = sim.kubeconfigFor('bob').users[0]!.token;
    expect(await review(bob, undefined)).toMatchObject({ status: 422, body: { reason: 'Invalid' } });
  });
});
