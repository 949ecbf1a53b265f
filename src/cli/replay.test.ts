import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../main.ts';
import type { InstantQueryRequest, MetricProvider } from '../ports/index.ts';
import type { CliContext } from './context.ts';
import { parseApproval, registerReplay } from './replay.ts';

const START = Date.parse('2026-06-01T09:05:00Z');
const M = 60_000;

/** `serin replay` of test/fixtures/replay/canary.yaml in-process, against a fake past. */
async function replayWith(args: string[], errorRatio = 0.01) {
  const queries: InstantQueryRequest[] = [];
  const provider: MetricProvider = {
    instantQuery: (request) => {
      queries.push(request);
      // The error-rate query names 5xx codes; its minTraffic guard counts all requests.
      const value = request.query.includes('5..') ? errorRatio : 1000;
      return Promise.resolve({ kind: 'value', value });
    },
    rangeQuery: () => Promise.resolve({ kind: 'noData', reason: 'not used' }),
  };
  const wall = Date.parse('2030-01-01T00:00:00Z');
  const clock = { now: () => wall, sleep: () => Promise.resolve() };
  let stdout = '';
  let stderr = '';
  let code = -1;
  const ctx: CliContext = {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    exit: (c) => (code = c),
    signal: new AbortController().signal,
  };
  const program = new Command().exitOverride();
  registerReplay(program, ctx, { clock, provider });
  await program.parseAsync(
    [
      'replay',
      '--canary',
      'test/fixtures/replay/canary.yaml',
      '--templates',
      'analysis-templates/',
      '--start',
      new Date(START).toISOString(),
      ...args,
    ],
    { from: 'user' },
  );
  return { queries, stdout, stderr, code };
}

describe('serin replay', () => {
  it('states in its header that traffic weights are only recorded', async () => {
    const result = await replayWith(['--approve-at', 'step=5,after=10m']);
    const header = result.stdout.split('\n').slice(0, 3).join('\n');
    expect(header).toContain('traffic weights are only recorded');
    expect(result.stdout).toContain('(recorded, not applied)');
  });

  it("evaluates every query at its measurement's virtual time (time=), never at the wall clock", async () => {
    const result = await replayWith(['--approve-at', 'step=5,after=10m', '-o', 'json']);
    const report = JSON.parse(result.stdout) as { timeline: { kind: string; at: number; metric?: string }[] };
    const measuredAt = report.timeline.filter((e) => e.kind === 'measurement').map((e) => e.at);
    // The analysis step starts after the 5-minute pause: five measurements a minute apart.
    expect(measuredAt).toEqual([5, 6, 7, 8, 9].map((m) => START + m * M));
    expect(result.queries.length).toBeGreaterThanOrEqual(measuredAt.length);
    for (const q of result.queries) expect(measuredAt).toContain(q.time);
  });

  it('promotes the step it is told to approve, after the wait it is told', async () => {
    const result = await replayWith(['--approve-at', 'step=5,after=10m', '-o', 'json']);
    const report = JSON.parse(result.stdout) as { outcome: string; at: number; exitCode: number };
    expect(report.outcome).toBe('Succeeded');
    // Step 5 (the approval pause) starts at +9m; approved 10m later; promoted one pass on.
    expect(report.at).toBe(START + 19 * M + 1000);
    expect(result.code).toBe(0);
  });

  it('without an approval, ends paused at the approval step (exit 2)', async () => {
    const result = await replayWith(['--for', '2h']);
    expect(result.stdout).toMatch(/Outcome: paused at step 5 .*--approve-at step=5,after=<duration>/);
    expect(result.code).toBe(2);
  });

  it('aborts at the analysis step when the past held errors (exit 1)', async () => {
    const result = await replayWith([], 0.2);
    expect(result.stdout).toMatch(/Outcome: Aborted at step 3 at 2026-06-01T09:11:00.000Z/);
    expect(result.code).toBe(1);
  });

  it('reads --approve-at as step=N,after=duration and rejects anything else', () => {
    expect(parseApproval('step=4,after=10m')).toEqual({ step: 4, afterMs: 10 * M });
    expect(parseApproval('step=2')).toEqual({ step: 2, afterMs: 0 });
    expect(parseApproval('step=0,after=1m')).toBeUndefined();
    expect(parseApproval('after=1m')).toBeUndefined();
    expect(parseApproval('step=2,after=soon')).toBeUndefined();
  });

  it('names the bad flag and exits 4', async () => {
    const result = await replayWith(['--approve-at', 'step=x', '--speed', 'slow']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('--approve-at step=x: expected step=<n>,after=<duration>');
    expect(result.stderr).toContain('--speed slow');
    expect(result.queries).toHaveLength(0);
  });

  it('documents its exit codes and the --qps default in --help', async () => {
    const help = await runCliCaptured(['replay', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:\n {2}0 {2}promoted\n {2}1 .*\n {2}2 .*\n {2}4 /);
    expect(help.stdout).toMatch(/--qps <n>\s+queries per second to Prometheus at most\s+\(default: "20"\)/);
    expect(help.stdout).toContain('--approve-at <step=N,after=D>');
  });
});
