import { afterEach, describe, expect, it } from 'vitest';
import { splitApprovals } from '../../src/controller/approval-checks.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import type { KubeObject } from '../../src/kube/index.ts';
import { NS, startHarness, type Harness } from './harness.ts';

const approval = (name: string, spec: unknown, status?: unknown): KubeObject => ({
  apiVersion: 'serin.dev/v1alpha1',
  kind: 'Approval',
  metadata: { name, namespace: NS },
  spec,
  ...(status === undefined ? {} : { status }),
});

const good = {
  canaryRef: { name: 'podinfo' },
  action: 'Promote',
  revision: 'abc',
  approver: 'a@example.com',
};

describe('Approvals serin cannot read (a CRD older than the controller stores anything)', () => {
  it('rejects an undecided invalid Approval with the field in the reason, and keeps the valid ones', () => {
    const { valid, invalid } = splitApprovals(
      [
        approval('ok', good),
        approval('destroy', { ...good, action: 'Destroy' }),
        approval('decided', { ...good, action: 'Destroy' }, { phase: 'Rejected' }),
        approval('other', { ...good, canaryRef: { name: 'other' }, action: 'Destroy' }),
        approval('no-spec', undefined),
        approval('no-ref', { action: 'Promote' }),
      ],
      'podinfo',
    );
    expect(valid.map((a) => a.metadata.name)).toEqual(['ok']);
    expect(invalid).toEqual([
      { name: 'destroy', reason: expect.stringMatching(/^invalid spec: spec\.action: /) as string },
    ]);
  });
});

describe('an Approval for a Canary that does not exist', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
  });

  it('is rejected naming spec.canaryRef.name, with a Warning Event, when the controller looks at that name', async () => {
    h = await startHarness();
    const created = await h.client.create(approval('for-ghost', { ...good, canaryRef: { name: 'ghost' } }));
    await reconcile(h.deps, { namespace: NS, name: 'ghost' });
    const stored = await h.get('Approval', created.metadata.name ?? '');
    expect(stored?.status).toMatchObject({
      phase: 'Rejected',
      reason: `Canary "ghost" not found in namespace ${NS} (spec.canaryRef.name)`,
    });
    expect(await h.events()).toContainEqual(
      expect.objectContaining({ type: 'Warning', reason: 'ApprovalRejected' }),
    );
    // Decided once: a second look writes nothing more.
    const version = stored?.metadata.resourceVersion;
    await reconcile(h.deps, { namespace: NS, name: 'ghost' });
    expect((await h.get('Approval', 'for-ghost'))?.metadata.resourceVersion).toBe(version);
  });
});
