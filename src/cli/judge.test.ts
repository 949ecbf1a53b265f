import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../main.ts';
import { parseSamples, splitCsvLine } from './judge-input.ts';

const dir = 'test/fixtures/judge/cli';
const judge = (...args: string[]) => runCliCaptured(['judge', '--baseline', `${dir}/baseline.txt`, ...args]);

describe('serin judge', () => {
  it('exits 1 and prints the statistics as a table when the canary is High', async () => {
    const run = await judge('--canary', `${dir}/canary-slow.txt`);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^classification {2}High$/m);
    for (const label of ['p-value', 'shift \\(HL\\)', '98% CI', 'mean ratio', 'CLES']) {
      expect(run.stdout).toMatch(new RegExp(`^${label} `, 'm'));
    }
    expect(run.stdout).toMatch(/^n +baseline 40, canary 40$/m);
  });

  it('exits 0 on Pass and prints JSON with every statistic', async () => {
    const run = await judge('--canary', `${dir}/canary-same.txt`, '--output', 'json');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ classification: 'Pass', n: { baseline: 40, canary: 40 } });
    for (const key of ['pValue', 'estimate', 'ci', 'effectSize', 'u', 'method'])
      expect(result).toHaveProperty(key);
  });

  it('exits 2 with NoData when a side has fewer points than --min-samples', async () => {
    const run = await judge('--canary', `${dir}/canary-short.txt`);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/insufficient samples: 7 < 20 \(canary\)/);
    expect((await judge('--canary', `${dir}/canary-short.txt`, '--min-samples', '5')).code).toBe(1);
  });

  it('passes --direction, --confidence and --method to the judge', async () => {
    const run = await judge(
      ...['--canary', `${dir}/canary-slow.txt`, '--direction', 'decrease', '--confidence', '0.9'],
      ...['--method', 'asymptotic', '-o', 'json'],
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      classification: 'Pass',
      confidence: 0.9,
      method: 'asymptotic',
    });
  });

  it('reads a CSV column and counts empty cells as removed points', async () => {
    const run = await judge('--canary', `${dir}/canary-grafana.csv`, '--column', 'p99 latency', '-o', 'json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      n: { canary: 39 },
      removed: { nonFinite: { canary: 1 } },
    });
  });

  it('exits 4 naming the file, line and reason for a value that is not a number', async () => {
    const run = await judge('--canary', `${dir}/bad.txt`);
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(`serin judge: ${dir}/bad.txt:4: "abc" is not a number\n`);
  });

  it('exits 4 when the CSV column does not exist', async () => {
    const run = await judge('--canary', `${dir}/canary-grafana.csv`, '--column', 'value');
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /canary-grafana\.csv:1: no column "value" in the header \(columns: Time, p99 latency\)/,
    );
  });

  it('exits 4 for a missing file', async () => {
    const run = await judge('--canary', `${dir}/nope.txt`);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/nope\.txt: no such file or directory/);
  });

  it.each([
    [['--direction', 'up'], /--direction must be one of increase, decrease, either/],
    [['--confidence', '1.5'], /--confidence must be a number in \(0, 1\)/],
    [['--min-samples', 'ten'], /--min-samples must be an integer >= 1/],
    [['--method', 'bootstrap'], /--method must be one of/],
    [['--output', 'yaml'], /--output must be one of table, json/],
    [['--frobnicate'], /unknown option --frobnicate/],
  ])('exits 4 for bad usage %j', async (args, message) => {
    const run = await judge('--canary', `${dir}/canary-same.txt`, ...args);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(message);
  });

  it('exits 4 when --canary is missing', async () => {
    const run = await judge();
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/--canary <file> is required/);
  });

  it('exits 4, not 2 (NoData), when commander itself rejects the flags: an option without its value', async () => {
    const run = await judge('--canary');
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/option '--canary <file>' argument missing/);
  });
});

describe('judge input parsing', () => {
  it('skips blank lines and # comments and accepts Prometheus spellings of non-finite values', () => {
    expect(parseSamples('# x\n1\n\n2.5e1\nNaN\n+Inf\n', 'f')).toEqual({
      ok: true,
      values: [1, 25, NaN, Infinity],
    });
  });

  it('hints at --column when a plain file looks like CSV', () => {
    expect(parseSamples('time,value\n1,2\n', 'f.csv')).toEqual({
      ok: false,
      message: 'f.csv:1: "time,value" is not a number (CSV input needs --column <name>)',
    });
  });

  it('splits quoted CSV fields with doubled quotes', () => {
    expect(splitCsvLine('"a, b","say ""hi""",3')).toEqual(['a, b', 'say "hi"', '3']);
  });
});
