import { afterEach, describe, expect, it } from 'vitest';
import { canary, startHarness, type Harness } from '../controller/harness.ts';
import { startRollout, status, toIdle } from '../controller/rollout-helpers.ts';
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
async function decided(args: string[]) {
  const kubeconfig = kubeconfigFileFor(h.sim, 'oncall@example.com');
  const before = (await approvals(h)).length;
  const run = serin(kubeconfig, args);
  await eventually(async () => (await approvals(h)).length > before, 'the verb to create its Approval');
  await h.pass();
  return run;
}

describe('serin abort, pause, resume, retry', () => {
  it('pause holds a progressing rollout and resume continues it, each an applied Approval', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    const paused = await decided(['pause', 'podinfo', '--reason', 'holding for the incident']);
    expect([paused.code, paused.stderr]).toEqual([0, '']);
    expect(paused.stdout).toContain('Applied. Canary podinfo is now Paused (Manual), at step 2/5');
    expect(await status(h)).toMatchObject({ phase: 'Paused', pauseReason: 'Manual' });

    const resumed = await decided(['resume', 'podinfo']);
    expect([resumed.code, resumed.stderr]).toEqual([0, '']);
    expect(resumed.stdout).toContain('Applied. Canary podinfo is now Progressing');
    expect((await approvals(h)).map((a) => [a.spec.action, a.spec.approver, a.status?.phase])).toEqual(
      expect.arrayContaining([
        ['Pause', 'oncall@example.com', 'Applied'],
        ['Resume', 'oncall@example.com', 'Applied'],
      ]),
    );
  });

  it('abort rolls a paused Canary back, and retry restarts the revision from step 1', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const aborted = await decided(['abort', 'podinfo']);
    expect([aborted.code, aborted.stderr]).toEqual([0, '']);
    expect(aborted.stdout).toMatch(
      /Applied\. Canary podinfo is now Aborted, .*primary ██████████ 100 \| canary ░░░░░░░░░░ 0/,
    );
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });

    const retried = await decided(['retry', 'podinfo']);
    expect([retried.code, retried.stderr]).toEqual([0, '']);
    expect(await status(h)).toMatchObject({ phase: 'Progressing', currentStepIndex: 0 });
  });

  it('refuses retry of a rollout that has not failed, and pause of one that is already paused', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const kubeconfig = kubeconfigFileFor(h.sim, 'alice');
    const retry = await serin(kubeconfig, ['retry', 'podinfo']);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(
      /^serin retry: refused: Canary "podinfo" in "test" is Paused \(Manual\), .*: Retry does not apply while the canary is Paused; retry restarts an aborted or failed rollout, or one paused by a failed analysis\. Nothing was created\.\n$/,
    );
    const pause = await serin(kubeconfig, ['pause', 'podinfo']);
    expect(pause.code).toBe(1);
    expect(pause.stderr).toContain(
      ': Pause does not apply while the canary is Paused; pause holds a progressing rollout.',
    );
    expect(await approvals(h)).toEqual([]);
  });

  it('refuses an unreadable --wait duration as a usage error before reading anything', async () => {
    h = await startHarness();
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['abort', 'podinfo', '--wait', 'soon']);
    expect([run.code, run.stderr]).toEqual([
      2,
      'serin abort: --wait soon: not a duration (such as 30s, 2m or 90)\n',
    ]);
  });

  it('reports an unknown --context in one line naming the kubeconfig’s contexts (exit 5)', async () => {
    h = await startHarness();
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['abort', 'podinfo', '--context', 'prod']);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/^serin abort: context "prod" is not in kubeconfig .* \(it has: sim\)\n$/);
  });

  it('after a failed analysis with onFailure Pause, refuses promote and a reasonless promote --full, and retry restarts', async () => {
    h = await startHarness({ canary: canary({ onFailure: 'Pause' }) });
    await toIdle(h);
    await startRollout(h);
    h.clock.advance(61_000);
    await h.pass();
    h.provider.set('success_rate', 0.81);
    await h.pass();
    expect(await status(h)).toMatchObject({ phase: 'Paused', pauseReason: 'AnalysisFailed' });
    const kubeconfig = kubeconfigFileFor(h.sim, 'alice');

    const promote = await serin(kubeconfig, ['promote', 'podinfo']);
    expect([promote.code, promote.stderr]).toEqual([
      1,
      expect.stringContaining(
        ': a failed analysis is left by Retry, Abort, or PromoteFull with a reason; promote continues a paused rollout. Nothing was created.',
      ),
    ]);
    const full = await serin(kubeconfig, ['promote', 'podinfo', '--full']);
    expect([full.code, full.stderr]).toEqual([
      1,
      expect.stringContaining(': PromoteFull over a failed analysis needs a reason;'),
    ]);
    expect(await approvals(h)).toEqual([]);

    h.provider.set('success_rate', 0.99);
    const retried = await decided(['retry', 'podinfo']);
    expect([retried.code, retried.stderr]).toEqual([0, '']);
    expect((await status(h)).phase).toBe('Progressing');
  });
});
