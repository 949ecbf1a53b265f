import { describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import { KubeConfig } from './client-node.ts';
import type { KubeRequest, KubeResponse, KubeTransport } from './transport.ts';
import { whoAmI } from './who-am-i.ts';

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'kube-user-entry', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'kube-user-entry' }],
    currentContext: 'x',
  });
  return kc;
}

/** A transport that answers every request with one response and remembers the requests. */
function answering(status: number, body: unknown): { transport: KubeTransport; sent: KubeRequest[] } {
  const sent: KubeRequest[] = [];
  const transport: KubeTransport = {
    send: (req) => {
      sent.push(req);
      return Promise.resolve({ status, body, headers: {} } satisfies KubeResponse);
    },
    watch: () => Promise.reject(new Error('no watch')),
  };
  return { transport, sent };
}

describe('whoAmI', () => {
  it('takes the username the API server returns in a SelfSubjectReview', async () => {
    const { transport, sent } = answering(201, { status: { userInfo: { username: 'alice@example.com' } } });
    const who = await whoAmI(new KubeClient({ transport }), kubeConfig());
    expect(who).toEqual({ username: 'alice@example.com', source: 'SelfSubjectReview' });
    expect(sent.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews'],
    ]);
  });

  it('falls back to the kubeconfig user when the server does not serve SelfSubjectReview (404)', async () => {
    const { transport } = answering(404, { kind: 'Status', code: 404, reason: 'NotFound' });
    expect(await whoAmI(new KubeClient({ transport }), kubeConfig())).toEqual({
      username: 'kube-user-entry',
      source: 'kubeconfig',
    });
  });

  it('does not guess when the server refuses the review: the error is the caller’s', async () => {
    const { transport } = answering(403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'no' });
    await expect(whoAmI(new KubeClient({ transport }), kubeConfig())).rejects.toMatchObject({
      code: 'Forbidden',
    });
  });
});
