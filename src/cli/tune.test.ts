import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../main.ts';
import type { InstantQueryRequest, MetricProvider } from '../ports/index.ts';
import type { CliContext } from './context.ts';
import { parseRate, registerTune } from './tune.ts';

const T0 = Date.parse('2026-06-01T00:00:00Z');

function templateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'serin-tune-'));
  const path = join(dir, 'ceiling.yaml');
  writeFileSync(
    path,
    `apiVersion: serin.dev/v1alpha1
kind: AnalysisTemplate
metadata:
  name: ceiling
spec:
  args:
    - name: workload
  metrics:
    - name: error-rate
      interval: 1m
      count: 3
      failureCondition: result > 0.05
      provider:
        prometheus:
          address: http://prometheus.test:9090
          query: 'errors{workload="{{args.workload}}"}'
`,
  );
  return path;
}

/** Runs `serin tune` in-process with a fake Prometheus and a manual clock. */
async function tuneWith(args: string[]) {
  const queries: InstantQueryRequest[] = [];
  const provider: MetricProvider = {
    instantQuery: (request) => {
      queries.push(request);
      return Promise.resolve({ kind: 'value', value: 0.01 });
    },
    rangeQuery: () => Promise.resolve({ kind: 'noData', reason: 'not used' }),
  };
  let now = T0 + 86_400_000;
  const sleeps: number[] = [];
  const clock = {
    now: () => now,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
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
  registerTune(program, ctx, { clock, provider });
  await program.parseAsync(['tune', '--template', templateFile(), '--arg', 'workload=api', ...args], {
    from: 'user',
  });
  return { queries, sleeps, stdout, stderr, code };
}

const range = ['--from', new Date(T0).toISOString(), '--to', new Date(T0 + 3_600_000).toISOString()];

describe('serin tune', () => {
  it('paces queries at 20 a second unless --qps says otherwise', async () => {
    const byDefault = await tuneWith([...range, '--no-power']);
    expect(byDefault.queries.length).toBeGreaterThan(10);
    expect(new Set(byDefault.sleeps)).toEqual(new Set([50]));
    const five = await tuneWith([...range, '--no-power', '--qps', '5']);
    expect(new Set(five.sleeps)).toEqual(new Set([200]));
  });

  it('asks Prometheus each measurement once, evaluated at its time in the history', async () => {
    const result = await tuneWith([...range, '--no-power', '-o', 'json']);
    const keys = result.queries.map((q) => `${q.query}@${String(q.time)}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const q of result.queries) {
      expect(q.time).toBeGreaterThanOrEqual(T0);
      expect(q.time).toBeLessThanOrEqual(T0 + 3_600_000);
    }
    const report = JSON.parse(result.stdout) as { queries: { issued: number; reused: number } };
    expect(report.queries.issued).toBe(result.queries.length);
    expect(report.queries.reused).toBeGreaterThan(0);
  });

  it('writes progress to stderr and the report alone to stdout', async () => {
    const result = await tuneWith([...range, '--no-power', '-o', 'json']);
    expect(result.stderr).toMatch(/history: 100% of the range \(\d+\/\d+ runs\), \d+ queries/);
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
    expect(result.code).toBe(0);
  });

  it('names the flag and exits 4 on bad input, before any query', async () => {
    const result = await tuneWith(['--history', 'a week', '--target-false-alarm', '150%', '--qps', '0']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('--history a week: expected a duration such as 7d');
    expect(result.stderr).toContain('--target-false-alarm 150%');
    expect(result.stderr).toContain('--qps 0: expected a positive number');
    expect(result.queries).toHaveLength(0);
  });

  it('reads a target rate as a percentage or a fraction', () => {
    expect(parseRate('1%')).toBe(0.01);
    expect(parseRate('0.005')).toBe(0.005);
    expect(parseRate('101%')).toBeUndefined();
    expect(parseRate('%')).toBeUndefined();
  });

  it('documents its exit codes and the --qps default in --help', async () => {
    const help = await runCliCaptured(['tune', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}4 /);
    expect(help.stdout).toMatch(/--qps <n>\s+queries per second to Prometheus at most\s+\(default: "20"\)/);
    expect(help.stdout).toContain('--output <format>');
  });
});
