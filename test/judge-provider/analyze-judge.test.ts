/**
 * `serin analyze` with a `judge` metric, Prometheus played by nock: the runner is wired in every
 * mode, the range queries cover the judge's window at the measurement's time, and the statistics
 * are printed (table and JSON).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../src/main.ts';

const PROM = 'http://prom.judge.test:9090';
const T0 = Date.parse('2025-03-04T14:00:00Z');

let dir: string;

function template(extra = ''): string {
  const path = join(dir, `judge-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    path,
    `apiVersion: serin.dev/v1alpha1
kind: AnalysisTemplate
metadata:
  name: judge-latency
spec:
  args:
    - name: app
  metrics:
    - name: latency
      successCondition: result == 100
${extra}      provider:
        judge:
          prometheus:
            address: http://unused:9090
          baselineQuery: 'latency{app="{{args.app}}",track="baseline"}'
          canaryQuery: 'latency{app="{{args.app}}",track="canary"}'
          window: 5m
          step: 15s
`,
  );
  return path;
}

/** Deterministic noise around `centre` (a linear congruential generator). */
function noisy(count: number, centre: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return centre * (0.9 + 0.2 * (state / 2 ** 31));
  });
}

interface RangeAsked {
  query: string;
  start: number;
  end: number;
  step: number;
}

/** Answers every range query with 21 points around the centre its track asks for; records the requests. */
function prometheus(centres: { baseline: number; canary: number }, times = 2): RangeAsked[] {
  const asked: RangeAsked[] = [];
  let seed = 1;
  nock(PROM)
    .get('/api/v1/query_range')
    .query(true)
    .times(times)
    .reply((uri) => {
      const params = new URL(uri, PROM).searchParams;
      const request = {
        query: params.get('query') ?? '',
        start: Number(params.get('start')),
        end: Number(params.get('end')),
        step: Number(params.get('step')),
      };
      asked.push(request);
      const centre = request.query.includes('canary') ? centres.canary : centres.baseline;
      const values = noisy(21, centre, (seed += 1)).map((v, i) => [request.start + i * 15, String(v)]);
      return [200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } }];
    });
  return asked;
}

const analyze = (path: string, ...extra: string[]) =>
  runCliCaptured(['analyze', '--template', path, '--arg', 'app=api', '--prometheus', PROM, ...extra]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'serin-analyze-judge-'));
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  nock.enableNetConnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('serin analyze with a judge metric', () => {
  it('--once: runs both range queries over the window and prints the statistics table', async () => {
    const asked = prometheus({ baseline: 100, canary: 100 });
    const out = await analyze(template(), '--once');
    expect(out.code).toBe(0);
    expect(asked.map((a) => a.query).sort()).toEqual([
      'latency{app="api",track="baseline"}',
      'latency{app="api",track="canary"}',
    ]);
    for (const a of asked)
      expect({ window: a.end - a.start, step: a.step }).toEqual({ window: 300, step: 15 });
    expect(out.stdout).toContain('Verdict: Successful');
    expect(out.stdout).toMatch(
      /TIME\s+METRIC\s+RESULT\s+P-VALUE\s+SHIFT\s+CI\s+BAND\s+MEAN RATIO\s+CLES\s+N \(B\/C\)\s+METHOD\s+REASON/,
    );
    expect(out.stdout).toMatch(
      /\blatency\s+Pass\s+[\d.e-]+\s+\S+\s+\[\S+, \S+\]\s+\[-25\.\d+, 25\.\d+\]\s+\S+\s+\S+\s+21\/21\s+exact\s+no increase/,
    );
  });

  it('--once: a clearly slower canary is a Failed measurement (High), exit 1', async () => {
    prometheus({ baseline: 100, canary: 200 });
    const out = await analyze(template(), '--once');
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/\blatency\s+High\s/);
    expect(out.stdout).toContain('successCondition not met: result == 100');
  });

  it('--output json carries the full statistics of every judge measurement', async () => {
    prometheus({ baseline: 100, canary: 200 });
    const out = await analyze(template(), '--once', '--output', 'json');
    const doc = JSON.parse(out.stdout) as {
      phase: string;
      judgements: {
        metric: string;
        queries: { baseline: string; canary: string };
        window: { stepSeconds: number };
        outcome: { kind: string; value: number };
        result: Record<string, unknown>;
      }[];
    };
    expect(doc.phase).toBe('Failed');
    expect(doc.judgements).toHaveLength(1);
    const [judged] = doc.judgements;
    expect(judged).toMatchObject({
      metric: 'latency',
      window: { stepSeconds: 15 },
      outcome: { kind: 'value', value: 0 },
      result: { classification: 'High', method: 'exact', n: { baseline: 21, canary: 21 } },
    });
    for (const key of ['pValue', 'estimate', 'ci', 'confidence', 'band', 'effectSize', 'u']) {
      expect(judged?.result).toHaveProperty(key);
    }
  });

  it('a backtest ends each window at the measurement time, and lists every judgement', async () => {
    const asked = prometheus({ baseline: 100, canary: 100 }, 6);
    const out = await analyze(
      template(),
      '--from',
      new Date(T0).toISOString(),
      '--to',
      new Date(T0 + 60_000).toISOString(),
      '--step',
      '30s',
    );
    const ends = [...new Set(asked.map((a) => a.end))].sort();
    expect(ends).toEqual([T0 / 1000, T0 / 1000 + 30, T0 / 1000 + 60]);
    for (const a of asked) expect(a.end - a.start).toBe(300);
    expect(out.stdout.match(/^2025-03-04T14:0\d:\d\dZ\s+latency\s+Pass\s/gm)).toHaveLength(3);
    expect(out.code).toBe(0);
  });

  it('live: prints the statistics under each progress line', async () => {
    prometheus({ baseline: 100, canary: 200 });
    const out = await analyze(template());
    expect(out.stdout).toMatch(/latency {2}Failed value=0 .*\n {4}judge latency: High: increase: 98% CI \[/);
    expect(out.code).toBe(1);
  });

  it('too few points: Inconclusive with the reason, never Successful', async () => {
    nock(PROM)
      .get('/api/v1/query_range')
      .query(true)
      .times(2)
      .reply(200, {
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: {}, values: [[T0 / 1000, '1']] }] },
      });
    const out = await analyze(template(), '--once');
    expect(out.code).toBe(2);
    expect(out.stdout).toContain(
      'no data: insufficient samples: 1 < 20 (canary), 1 < 20 (baseline) (n baseline 1, canary 1)',
    );
  });

  it('a failing range query is an Error measurement naming the query, exit 3', async () => {
    nock(PROM)
      .get('/api/v1/query_range')
      .query(true)
      .times(2)
      .reply(400, { status: 'error', errorType: 'bad_data', error: 'parse error' });
    const out = await analyze(template(), '--once');
    expect(out.code).toBe(3);
    expect(out.stdout).toMatch(/baselineQuery: .*parse error/);
    expect(out.stdout).toMatch(/\blatency\s+Error\s+-/);
  });
});
