import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../controller/harness.ts';
import { release, startRollout, status, toIdle } from '../controller/rollout-helpers.ts';
import {
  approvals,
  kubeconfigFileFor,
  removeKubeconfigFiles,
  serin,
  toFinalPause,
} from './oncall-helpers.ts';
import { eventually } from '../support/index.ts';

let h: Harness;
afterEach(async () => {
  await h.stop();
  removeKubeconfigFiles();
});

/** Runs an action verb while playing the controller: one reconcile pass once its Approval exists. */
async function withController(kubeconfig: string, args: string[]) {
  const before = (await approvals(h)).length;
  const run = serin(kubeconfig, args);
  await eventually(async () => (await approvals(h)).length > before, 'the verb to create its Approval');
  await h.pass();
  return run;
}

describe('serin promote', () => {
  it('creates an Approval for the live revision and step, approved by the SelfSubjectReview username, and waits for Applied', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const kubeconfig = kubeconfigFileFor(h.sim, 'alice@example.com');
    const revision = (await status(h)).revision;

    const run = await withController(kubeconfig, ['promote', 'podinfo', '--reason', 'dashboards look fine']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [approval] = await approvals(h);
    expect(approval?.spec).toEqual({
      canaryRef: { name: 'podinfo' },
      action: 'Promote',
      revision,
      step: 4,
      approver: 'alice@example.com',
      reason: 'dashboards look fine',
    });
    expect(approval?.status).toMatchObject({ phase: 'Applied' });
    expect(run.stdout).toContain(
      `Approval ${approval?.name ?? ''} created: Promote podinfo (revision ${revision ?? ''}, step 5/5) as alice@example.com`,
    );
    expect(run.stdout).toContain('Applied. Canary podinfo is now Promoting');
    expect((await status(h)).approvals?.at(-1)).toMatchObject({
      approver: 'alice@example.com',
      result: 'Applied',
    });
  });

  it('asks the API server who the caller is, not the kubeconfig user entry', async () => {
    h = await startHarness();
    await toFinalPause(h);
    // The kubeconfig names its user entry "bob@example.com-entry"; the server knows the token as bob.
    const run = await serin(kubeconfigFileFor(h.sim, 'bob@example.com'), ['promote', 'podinfo', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('approver: bob@example.com\n');
    expect(h.sim.audit.entries()).toContainEqual({
      kind: 'nonResource',
      user: 'bob@example.com',
      verb: 'post',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    });
  });

  it('--dry-run prints the Approval and creates nothing', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['promote', 'podinfo', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /kind: Approval[\s\S]*generateName: podinfo-promote-[\s\S]*action: Promote[\s\S]*step: 4/,
    );
    expect(await approvals(h)).toEqual([]);
  });

  it('refuses to promote a Canary that is not paused, names its state and the --full alternative, and creates nothing', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['promote', 'podinfo']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^serin promote: refused: Canary "podinfo" in "test" is Progressing, at step 2\/5 pause 1m, .*: Promote does not apply while the canary is Progressing; promote continues a paused rollout\. Nothing was created\. To skip the remaining steps: serin promote podinfo -n test --full\.\n$/,
    );
    expect(await approvals(h)).toEqual([]);
  });

  it('promote --full skips the remaining steps of a progressing rollout (PromoteFull)', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    const run = await withController(kubeconfigFileFor(h.sim, 'alice'), ['promote', 'podinfo', '--full']);
    expect(run.code).toBe(0);
    expect((await approvals(h))[0]?.spec).toMatchObject({ action: 'PromoteFull', step: 1 });
    expect((await status(h)).phase).toBe('Promoting');
  });

  it('reports a missing Canary in one line with exit 3 and creates nothing', async () => {
    h = await startHarness();
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['promote', 'nope']);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      'serin promote: Canary "nope" not found in namespace "test" (serin get canaries -A lists them all)\n',
    );
    expect(await approvals(h)).toEqual([]);
  });

  it('names the refused verb and resource when RBAC forbids creating the Approval (exit 4)', async () => {
    h = await startHarness();
    await toFinalPause(h);
    h.sim.forbid({ user: 'mallory', verb: 'create', resource: 'approvals' });
    const run = await serin(kubeconfigFileFor(h.sim, 'mallory'), ['promote', 'podinfo']);
    expect(run.code).toBe(4);
    expect(run.stderr.split('\n')).toEqual([
      'serin promote: forbidden: cannot create approvals.serin.dev in namespace "test" (RBAC): approvals.serin.dev is forbidden: User "mallory" cannot create resource "approvals" in API group "serin.dev" in the namespace "test"',
      '',
    ]);
    expect(await approvals(h)).toEqual([]);
  });

  it('exits 1 with the controller’s reason when it rejects the Approval, and shows the new state', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const kubeconfig = kubeconfigFileFor(h.sim, 'alice');
    const run = serin(kubeconfig, ['promote', 'podinfo']);
    await eventually(async () => (await approvals(h)).length > 0, 'the Approval');
    // A new revision lands before the controller gets to the Approval: it names the old one.
    await release(h, 'podinfo:3.0');
    await h.pass();
    const done = await run;
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(
      /the controller rejected Approval podinfo-promote-\w+: approval is for revision \w+, the canary is at \w+\. Canary podinfo is Progressing/,
    );
  });

  it('exits 6 when the controller does not decide within --wait, leaving the Approval in place', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['promote', 'podinfo', '--wait', '1s']);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('no decision after 1s (is the controller running?)');
    expect(await approvals(h)).toHaveLength(1);
  });

  it('--no-wait returns once the Approval exists', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['promote', 'podinfo', '--no-wait']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('Applied');
    expect((await approvals(h))[0]?.status).toBeUndefined();
  });

  it('says the Approval was created when RBAC lets the caller create Approvals but not follow them (exit 4)', async () => {
    h = await startHarness();
    await toFinalPause(h);
    h.sim.forbid({ user: 'writer', verb: 'list', resource: 'approvals' });
    const run = await serin(kubeconfigFileFor(h.sim, 'writer'), ['promote', 'podinfo']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /^serin promote: Approval podinfo-promote-\w+ was created, but --wait cannot follow it: forbidden: cannot list approvals\.serin\.dev in namespace "test" \(RBAC\): .*\n$/,
    );
    expect(await approvals(h)).toHaveLength(1);
  });
});
