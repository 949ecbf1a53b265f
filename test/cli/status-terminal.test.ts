import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../controller/harness.ts';
import { approve } from '../controller/rollout-helpers.ts';
import { kubeconfigFileFor, removeKubeconfigFiles, toFinalPause } from './oncall-helpers.ts';
import { eventually } from '../support/index.ts';

/** tmux drives a real terminal; where it is not installed the test is reported as skipped. */
const HAS_TMUX = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

/** A tmux server of this test's own (-L), so it never touches anyone's sessions. */
const SOCKET = `serin-status-test-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-t', 'oncall');
}

function sessionAlive(): boolean {
  try {
    tmux('has-session', '-t', 'oncall');
    return true;
  } catch {
    return false;
  }
}

let h: Harness;
afterEach(async () => {
  if (!HAS_TMUX) return;
  try {
    tmux('kill-server');
  } catch {
    // Already gone: the session ended with the process.
  }
  await h.stop();
  removeKubeconfigFiles();
});

describe.skipIf(!HAS_TMUX)('serin status -w in a terminal (tmux)', () => {
  it('redraws in place when the Canary moves, and Ctrl-C ends it', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const kubeconfig = kubeconfigFileFor(h.sim, 'alice');
    const command = `node --import tsx src/main.ts status podinfo -w --kubeconfig ${kubeconfig}`;
    tmux('new-session', '-d', '-s', 'oncall', '-x', '160', '-y', '50', '-c', process.cwd(), command);

    await eventually(() => screen().includes('serin promote podinfo -n test'), 'the first screen');
    expect(screen()).toMatch(/^podinfo\s+namespace test\s+Paused \(Manual\)/);
    expect(screen()).toMatch(/▶\s+5\. wait for approval/);

    await approve(h, 'Promote', 4);
    await h.pass();
    await eventually(
      () => screen().includes('waiting for podinfo-primary to roll out'),
      'the redrawn screen',
    );
    const redrawn = screen();
    // Redrawn in place: the screen starts with the new state and the old one is gone.
    expect(redrawn).toMatch(/^podinfo\s+namespace test\s+Promoting/);
    expect(redrawn).not.toContain('Paused (Manual)');
    expect(redrawn).toMatch(/oncall@example\.com: Promote step 5 revision \w+ -> Applied/);

    tmux('send-keys', '-t', 'oncall', 'C-c');
    await eventually(() => !sessionAlive(), 'serin status to exit on Ctrl-C');
  }, 60_000);
});
