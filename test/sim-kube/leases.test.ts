/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment, @typescript-eslint/no-misused-spread --
   client-node declares its models as classes but sends plain JSON; object literals are how it is used. */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canary, CANARIES, failure, raw, startSim } from './helpers.ts';
import type { SimClients } from './helpers.ts';

let s: SimClients;
beforeAll(async () => {
  s = await startSim();
});
afterAll(async () => {
  await s.sim.stop();
});

describe('kube simulator: Leases (leader election)', () => {
  const lease = (holder: string): k8s.V1Lease => ({
    metadata: { name: 'serin-leader', namespace: 'default' },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: 15,
      acquireTime: new k8s.V1MicroTime(),
      renewTime: new k8s.V1MicroTime(),
      leaseTransitions: 0,
    },
  });

  it('lets exactly one of two racing updates from the same resourceVersion win (the other gets 409)', async () => {
    const created = await s.coordination.createNamespacedLease({ namespace: 'default', body: lease('a') });
    const asB = { ...created, spec: { ...created.spec, holderIdentity: 'b' } };
    const asC = { ...created, spec: { ...created.spec, holderIdentity: 'c' } };
    const results = await Promise.allSettled([
      s.coordination.replaceNamespacedLease({ namespace: 'default', name: 'serin-leader', body: asB }),
      s.coordination.replaceNamespacedLease({ namespace: 'default', name: 'serin-leader', body: asC }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected');
    expect((lost as PromiseRejectedResult).reason.code).toBe(409);
  });

  it('requires a resourceVersion on a Lease PUT (422), as leaseStrategy allows no unconditional update', async () => {
    const current = await s.coordination.readNamespacedLease({ namespace: 'default', name: 'serin-leader' });
    delete current.metadata!.resourceVersion;
    const f = await failure(
      s.coordination.replaceNamespacedLease({ namespace: 'default', name: 'serin-leader', body: current }),
    );
    expect(f.code).toBe(422);
  });

  it('refuses a body whose apiVersion does not match the URL (400)', async () => {
    const r = await raw(s.sim, 'POST', CANARIES, { ...canary('wrong-version'), apiVersion: 'serin.dev/v9' });
    expect(r.status).toBe(400);
  });
});
