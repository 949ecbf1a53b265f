import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/index.ts';
import type { CliContext } from '../../src/cli/context.ts';
import { startHarness, type Harness } from '../controller/harness.ts';
import { approve, startRollout, status, toIdle } from '../controller/rollout-helpers.ts';
import { kubeconfigFileFor, removeKubeconfigFiles, serin, toFinalPause } from './oncall-helpers.ts';
import { eventually } from '../support/index.ts';

let h: Harness;
afterEach(async () => {
  await h.stop();
  removeKubeconfigFiles();
});

/** Runs `serin status` with a context the test controls (a terminal or not), until `stop` aborts. */
function statusLive(kubeconfig: string, opts: { isTTY: boolean; stop: AbortSignal }) {
  const run = { out: '', code: -1 };
  const ctx: CliContext = {
    out: (text) => (run.out += text),
    err: (text) => (run.out += text),
    exit: (code) => (run.code = code),
    signal: opts.stop,
    isTTY: opts.isTTY,
  };
  const args = ['status', 'podinfo', '-w', '--kubeconfig', kubeconfig];
  const done = buildProgram(ctx, args).then((program) => program.parseAsync(args, { from: 'user' }));
  return { run, done };
}

describe('serin status', () => {
  it('shows the steps with a marker at the current one, the weights, each metric against its condition, and the command that acts', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const revision = (await status(h)).revision ?? '';
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['status', 'podinfo']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^podinfo\s+namespace test\s+Paused \(Manual\)\s+step 5\/5 wait for approval$/);
    expect(lines).toContain(`revision  ${revision}  stable ${(await status(h)).stableRevision ?? ''}`);
    expect(lines).toContain('weights   primary █████░░░░░ 50 | canary █████░░░░░ 50');
    const steps = lines.slice(lines.indexOf('steps') + 1, lines.indexOf('analysis'));
    expect(steps.map((line) => line.trim().replace(/\s+/g, ' '))).toEqual([
      '✓ 1. set weight 20%',
      '✓ 2. pause 1m',
      '✓ 3. analysis success-rate',
      '✓ 4. set weight 50%',
      '▶ 5. wait for approval <- here',
    ]);
    expect(run.stdout).toMatch(
      new RegExp(
        `Successful ${revision}-r1-s2 \\(step 3\\)\\n\\s+success-rate\\s+Successful\\s+✓ 0\\.99\\s+✓ 0\\.99\\s+vs result >= 0\\.95\\s+2 measured, 0 failed\\n`,
      ),
    );
    expect(run.stdout).toMatch(/events\n(\s+\d\d:\d\d:\d\d Normal \w+: .*\n)+/);
    expect(run.stdout).toContain('WaitingForApproval: step 5/5');
    expect(
      run.stdout.endsWith(
        'waiting for an approval to continue (a pause {} step)\n  serin promote podinfo -n test\n  serin abort podinfo -n test\n',
      ),
    ).toBe(true);
  });

  it('marks failed measurements and the step where an aborted rollout stopped, and offers retry', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    h.clock.advance(61_000);
    await h.pass();
    h.provider.set('success_rate', 0.5);
    await h.pass();
    await h.pass();
    expect((await status(h)).phase).toBe('Aborted');
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['status', 'podinfo']);
    expect(run.stdout).toMatch(/^podinfo\s+namespace test\s+Aborted/);
    expect(run.stdout).toMatch(/success-rate\s+Failed\s+✗ 0\.5\s+vs result >= 0\.95/);
    expect(run.stdout).toMatch(/Warning \w+: /);
    expect(run.stdout).toContain(
      'waiting for a new revision of podinfo, or a retry of this one\n  serin retry podinfo -n test\n',
    );
  });

  it('lists the approvals the controller recorded, with approver, step, revision and result', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const name = await approve(h, 'Promote', 4);
    await h.pass();
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['status', 'podinfo']);
    const revision = (await status(h)).revision ?? '';
    expect(run.stdout).toMatch(
      new RegExp(
        `approvals\\n\\s+\\d\\d:\\d\\d:\\d\\d oncall@example.com: Promote step 5 revision ${revision} -> Applied ${name}\\n`,
      ),
    );
  });

  it('reports a missing Canary in one line with exit 3', async () => {
    h = await startHarness();
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['status', 'nope', '-n', 'default']);
    expect([run.code, run.stdout, run.stderr]).toEqual([
      3,
      '',
      'serin status: Canary "nope" not found in namespace "default" (serin get canaries -A lists them all)\n',
    ]);
  });

  it('still shows the Canary when RBAC hides Events, and says they are not shown', async () => {
    h = await startHarness();
    h.sim.forbid({ user: 'viewer', resource: 'events' });
    const run = await serin(kubeconfigFileFor(h.sim, 'viewer'), ['status', 'podinfo']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^podinfo/);
    expect(run.stderr).toBe('serin status: Events not shown: listing events in "test" is forbidden\n');
  });

  it('-w outside a terminal prints a plain line per change', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const stop = new AbortController();
    const live = statusLive(kubeconfigFileFor(h.sim, 'alice'), { isTTY: false, stop: stop.signal });
    await eventually(() => live.run.out.includes('waiting for'), 'the first screen');
    await approve(h, 'Promote', 4);
    await h.pass();
    await eventually(() => live.run.out.includes('Promoting'), 'a line about Promoting');
    stop.abort();
    await live.done;
    expect(live.run.code).toBe(0);
    expect(live.run.out).not.toContain('\u001b[');
    const after = live.run.out.slice(live.run.out.indexOf('serin abort podinfo -n test\n'));
    expect(after).toMatch(
      /\n\d\d:\d\d:\d\d podinfo {2}Promoting {2}.*primary █████░░░░░ 50 \| canary █████░░░░░ 50\n/,
    );
  });

  it('-w on a terminal redraws the whole screen in place when the Canary moves', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const stop = new AbortController();
    const live = statusLive(kubeconfigFileFor(h.sim, 'alice'), { isTTY: true, stop: stop.signal });
    await eventually(() => live.run.out.includes('waiting for'), 'the first screen');
    await approve(h, 'Promote', 4);
    await h.pass();
    await eventually(
      () => /Promoting[\s\S]*waiting for/.test(live.run.out.split('\u001b[H\u001b[2J').at(-1) ?? ''),
      'a redrawn screen',
    );
    stop.abort();
    await live.done;
    const screens = live.run.out.split('\u001b[H\u001b[2J').filter((s) => s !== '');
    expect(screens[0]).toMatch(/^podinfo\s+namespace test\s+Paused/);
    expect(screens.at(-1)).toMatch(
      /^podinfo\s+namespace test\s+Promoting[\s\S]*waiting for podinfo-primary to roll out the new version\n {2}serin abort podinfo -n test\n$/,
    );
  });
});
