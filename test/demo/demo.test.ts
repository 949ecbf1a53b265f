/**
 * The whole `serin demo`, in process, against a real Prometheus: what a newcomer sees first must work.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../src/main.ts';
import { prometheusSkipReason } from '../harness/prometheus.ts';

const skip = prometheusSkipReason();

/** Prometheus processes this test process started and did not stop. */
function childPrometheus(): string[] {
  try {
    const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    return out.split('\n').filter((line) => line.includes('prometheus'));
  } catch {
    return []; // ps exits 1 when there are no children
  }
}

/** The summary block of one release: its line and the indented lines under it. */
function releaseBlock(stdout: string, number: number): string {
  const summary = stdout.slice(stdout.lastIndexOf('\nSummary\n'));
  const start = summary.indexOf(`  ${number}. `);
  const end = summary.indexOf(`  ${number + 1}. `, start);
  return summary.slice(start, end === -1 ? summary.indexOf('\n\n', start) : end);
}

describe.skipIf(skip !== undefined)('serin demo (end to end, real Prometheus)', () => {
  it('promotes the good release after an Approval and aborts the bad one on a measured success rate below the threshold', async () => {
    const run = await runCliCaptured(['demo', '--view', 'log']);
    if (run.code !== 0) console.error(run.stdout, run.stderr);
    expect(run.code).toBe(0);

    const good = releaseBlock(run.stdout, 1);
    expect(good).toMatch(/good .*: Succeeded after [\d.]+s \(as expected\)/);
    expect(good).toMatch(/approved with serin promote at step 5\/5 \(revision \w+\)/);
    // The demo approves through the verb itself: its output, with the identity SelfSubjectReview gave.
    expect(run.stdout).toMatch(/on-call runs: serin promote podinfo -n demo --reason/);
    expect(run.stdout).toMatch(
      /Approval podinfo-promote-\w+ created: Promote podinfo \(revision \w+, step 5\/5\) as serin-sim\./,
    );
    expect(run.stdout).toMatch(/Applied\. Canary podinfo is now (Promoting|Succeeded)/);

    const bad = releaseBlock(run.stdout, 2);
    expect(bad).toMatch(/bad .*: Aborted after [\d.]+s \(as expected\)/);
    const measured = /success-rate (\S+) vs result >= (\S+): Failed/.exec(bad);
    expect(measured).not.toBeNull();
    expect(Number(measured?.[1])).toBeLessThan(Number(measured?.[2]));
    expect(bad).toMatch(/canary weight 0 after [\d.]+s, canary scaled to 0 after [\d.]+s/);

    // A log for pipes and CI: no escape sequences.
    expect(run.stdout).not.toContain('\x1b');
    expect(childPrometheus()).toEqual([]);
  }, 180_000);
});
