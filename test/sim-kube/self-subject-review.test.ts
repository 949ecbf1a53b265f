import { afterEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';

let sim: KubeSim;
afterEach(async () => sim.stop());

async function post(
  token: string | undefined,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('SelfSubjectReview', () => {
  it('answers with the user the bearer token authenticates, and stores nothing', async () => {
    sim = await startKubeSim({ port: 0 });
    const token = sim.kubeconfigFor('alice@example.com').users[0]!.token;
    const res = await post(token, '/apis/authentication.k8s.io/v1/selfsubjectreviews');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'SelfSubjectReview',
      status: { userInfo: { username: 'alice@example.com', groups: ['system:authenticated'] } },
    });
  });

  it('says an anonymous caller is system:anonymous', async () => {
    sim = await startKubeSim({ port: 0 });
    const res = await post(undefined, '/apis/authentication.k8s.io/v1/selfsubjectreviews');
    expect(res.body).toMatchObject({
      status: { userInfo: { username: 'system:anonymous', groups: ['system:unauthenticated'] } },
    });
  });
});

describe('forbid', () => {
  it('refuses only the matching user and verb, with kube-apiserver’s 403 wording', async () => {
    sim = await startKubeSim({ port: 0, namespaces: ['shop'] });
    sim.forbid({ user: 'eve', verb: 'create', resource: 'approvals', namespace: 'shop' });
    const eve = sim.kubeconfigFor('eve').users[0]!.token;
    const path = '/apis/serin.dev/v1alpha1/namespaces/shop/approvals';
    const res = await fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${eve}` } });
    expect(res.status).toBe(200);
    const denied = await post(eve, path);
    expect(denied).toMatchObject({
      status: 403,
      body: {
        kind: 'Status',
        reason: 'Forbidden',
        code: 403,
        message:
          'approvals.serin.dev is forbidden: User "eve" cannot create resource "approvals" in API group "serin.dev" in the namespace "shop"',
      },
    });
  });
});
