import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../main.ts';

const PROM = 'http://prom.analyze.test:9090';
let dir: string;

function templateYaml(name: string, metric: string): string {
  return `apiVersion: serin.dev/v1alpha1
kind: AnalysisTemplate
metadata:
  name: ${name}
spec:
  args:
    - name: workload
  metrics:
    - name: error-rate
${metric
  .split('\n')
  .map((line) => `      ${line}`)
  .join('\n')}
      provider:
        prometheus:
          address: http://unused:9090
          query: 'errors{workload="{{args.workload}}"}'
`;
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function vector(value: string): nock.Body {
  return { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] } };
}

const empty: nock.Body = { status: 'success', data: { resultType: 'vector', result: [] } };

function answer(status: number, body: nock.Body, times = 1): void {
  nock(PROM).get('/api/v1/query').query(true).times(times).reply(status, body);
}

let oneShot: string;
const base = (): string[] => [
  'analyze',
  '--template',
  oneShot,
  '--arg',
  'workload=api',
  '--prometheus',
  PROM,
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'serin-analyze-'));
  oneShot = file('one-shot.yaml', templateYaml('one-shot', 'successCondition: result < 0.05'));
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

describe('serin analyze --once', () => {
  it('exits 0 when the measurement is Successful', async () => {
    answer(200, vector('0.01'));
    const run = await runCliCaptured([...base(), '--once']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Verdict: Successful');
  });

  it('exits 1 when the measurement Failed', async () => {
    answer(200, vector('0.5'));
    expect((await runCliCaptured([...base(), '--once'])).code).toBe(1);
  });

  it('exits 2 when the result is empty (Inconclusive, never Successful)', async () => {
    answer(200, empty);
    const run = await runCliCaptured([...base(), '--once']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('no data');
  });

  it('exits 3 when Prometheus answers with an error', async () => {
    answer(503, { status: 'error', errorType: 'unavailable', error: 'not ready' });
    const run = await runCliCaptured([...base(), '--once']);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('HTTP 503 (unavailable)');
  });

  it('judges the single measurement even when the template tolerates failures', async () => {
    const lenient = file(
      'lenient.yaml',
      templateYaml('lenient', 'interval: 1m\ncount: 5\nfailureLimit: 3\nsuccessCondition: result < 0.05'),
    );
    answer(200, vector('0.5'));
    const run = await runCliCaptured([
      'analyze',
      '--template',
      lenient,
      '--arg',
      'workload=api',
      '--prometheus',
      PROM,
      '--once',
    ]);
    expect(run.code).toBe(1);
  });

  it('prints the run as JSON with --output json', async () => {
    answer(200, vector('+Inf'));
    const run = await runCliCaptured([...base(), '--once', '--output', 'json']);
    const doc = JSON.parse(run.stdout) as {
      phase: string;
      exitCode: number;
      run: { metrics: { measurements: { value: string }[] }[] };
    };
    expect(doc).toMatchObject({ phase: 'Failed', exitCode: 1 });
    expect(doc.run.metrics[0]?.measurements[0]?.value).toBe('+Inf');
  });

  it('finds a template by name among --file paths', async () => {
    const many = file(
      'many.yaml',
      `${templateYaml('first', 'successCondition: result < 1')}---\n${templateYaml('second', 'successCondition: result > 1')}`,
    );
    answer(200, vector('0.5'));
    const run = await runCliCaptured([
      'analyze',
      '--template',
      'second',
      '--file',
      many,
      '--arg',
      'workload=api',
      '--prometheus',
      PROM,
      '--once',
    ]);
    expect(run.code).toBe(1);
  });

  it('sends the --bearer-token-file token and never prints it', async () => {
    const token = file('token', 'tok-123456\n');
    nock(PROM, { reqheaders: { authorization: 'Bearer tok-123456' } })
      .get('/api/v1/query')
      .query(true)
      .reply(400, { status: 'error', errorType: 'bad_data', error: 'bad token tok-123456' });
    const run = await runCliCaptured([...base(), '--once', '--bearer-token-file', token]);
    expect(run.code).toBe(3);
    expect(run.stdout + run.stderr).not.toContain('tok-123456');
  });
});

describe('serin analyze usage errors exit 4', () => {
  it('requires --template', async () => {
    const run = await runCliCaptured(['analyze', '--once']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('--template');
  });

  it('reports the lint messages of an invalid template', async () => {
    const bad = file('bad.yaml', templateYaml('bad', 'successCondition: result <'));
    const run = await runCliCaptured(['analyze', '--template', bad, '--arg', 'workload=api', '--once']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('successCondition');
  });

  it('rejects a missing argument value', async () => {
    const run = await runCliCaptured(['analyze', '--template', oneShot, '--prometheus', PROM, '--once']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('argument "workload" has no value');
  });

  it('rejects --arg without =', async () => {
    expect((await runCliCaptured([...base(), '--arg', 'oops', '--once'])).code).toBe(4);
  });

  it('rejects --once with --from', async () => {
    expect((await runCliCaptured([...base(), '--once', '--from', 'now-1h'])).code).toBe(4);
  });

  it('rejects --from after --to', async () => {
    const run = await runCliCaptured([
      ...base(),
      '--from',
      '2025-01-02T00:00:00Z',
      '--to',
      '2025-01-01T00:00:00Z',
    ]);
    expect(run.code).toBe(4);
  });

  it('rejects an unknown template name', async () => {
    const run = await runCliCaptured(['analyze', '--template', 'nope', '--file', oneShot, '--once']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('no AnalysisTemplate named "nope"');
  });
});

describe('serin analyze --from/--to (backtest)', () => {
  it('evaluates each measurement at its scheduled time and reports when the verdict was reached', async () => {
    const series = file(
      'series.yaml',
      templateYaml('series', 'interval: 1m\ncount: 5\nfailureLimit: 1\nsuccessCondition: result < 0.05'),
    );
    const times: string[] = [];
    nock(PROM)
      .get('/api/v1/query')
      .query((q) => {
        times.push(String(q.time));
        return true;
      })
      .times(3)
      .reply(200, (uri) => (uri.includes('time=1735689600') ? vector('0.01') : vector('0.3')));
    const run = await runCliCaptured([
      ...base().map((a) => (a === oneShot ? series : a)),
      '--from',
      '2025-01-01T00:00:00Z',
      '--to',
      '2025-01-01T01:00:00Z',
    ]);
    expect(times).toEqual(['1735689600', '1735689660', '1735689720']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Verdict: Failed at 2025-01-01T00:02:00Z');
    expect(run.stdout).toContain('(120s after --from)');
  });

  it('with --traffic-since, defers passes until the window plus two scrapes of traffic, as the controller does', async () => {
    const series = file(
      'evidence.yaml',
      templateYaml('evidence', 'interval: 1m\ncount: 3\nsuccessCondition: result < 0.05'),
    );
    const times: string[] = [];
    nock(PROM)
      .get('/api/v1/query')
      .query((q) => {
        times.push(String(q.time));
        return true;
      })
      .times(5)
      .reply(200, vector('0.01'));
    const run = await runCliCaptured([
      ...base().map((a) => (a === oneShot ? series : a)),
      '--from',
      '2025-01-01T00:00:00Z',
      '--to',
      '2025-01-01T01:00:00Z',
      '--traffic-since',
      '2025-01-01T00:00:00Z',
    ]);
    // An instant query scraped every 1m (the default): passes count from 2 minutes in.
    expect(times).toEqual(['1735689600', '1735689660', '1735689720', '1735689780', '1735689840']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Verdict: Successful at 2025-01-01T00:04:00Z');
  });

  it("with --previous-traffic-until, defers failures while the window may read the earlier revision's traffic", async () => {
    const series = file(
      'earlier.yaml',
      templateYaml('earlier', 'interval: 1m\ncount: 3\nsuccessCondition: result < 0.05'),
    );
    const times: string[] = [];
    nock(PROM)
      .get('/api/v1/query')
      .query((q) => {
        times.push(String(q.time));
        return true;
      })
      .times(3)
      .reply(200, vector('0.5'));
    const run = await runCliCaptured([
      ...base().map((a) => (a === oneShot ? series : a)),
      '--from',
      '2025-01-01T00:00:00Z',
      '--to',
      '2025-01-01T01:00:00Z',
      '--previous-traffic-until',
      '2025-01-01T00:00:00Z',
    ]);
    // An instant query scraped every 1m: the earlier traffic shows for 2 minutes.
    expect(times).toEqual(['1735689600', '1735689660', '1735689720']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Verdict: Failed at 2025-01-01T00:02:00Z');
  });

  it('rejects an unreadable --traffic-since', async () => {
    const run = await runCliCaptured([...base(), '--once', '--traffic-since', 'yesterday-ish']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('--traffic-since yesterday-ish: expected now, now-1h');
  });

  it('replays a one-shot metric every --step across the window', async () => {
    nock(PROM).get('/api/v1/query').query(true).times(4).reply(200, vector('0.01'));
    const run = await runCliCaptured([
      ...base(),
      '--from',
      '2025-01-01T00:00:00Z',
      '--to',
      '2025-01-01T00:03:00Z',
      '--step',
      '1m',
      '--output',
      'json',
    ]);
    const doc = JSON.parse(run.stdout) as { phase: string; run: { metrics: { count: number }[] } };
    expect(doc.phase).toBe('Successful');
    expect(doc.run.metrics[0]?.count).toBe(4);
  });

  it('exits 2 when the window ends before a bounded metric reached its verdict', async () => {
    const series = file(
      'slow.yaml',
      templateYaml('slow', 'interval: 1m\ncount: 5\nsuccessCondition: result < 0.05'),
    );
    nock(PROM).get('/api/v1/query').query(true).times(2).reply(200, vector('0.01'));
    const run = await runCliCaptured([
      ...base().map((a) => (a === oneShot ? series : a)),
      '--from',
      '2025-01-01T00:00:00Z',
      '--to',
      '2025-01-01T00:01:30Z',
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('no verdict');
  });
});

describe('serin analyze (live)', () => {
  it('prints a progress line per measurement, honouring interval and count', async () => {
    const live = file(
      'live.yaml',
      templateYaml('live', 'interval: 1s\ncount: 2\nsuccessCondition: result < 0.05'),
    );
    answer(200, vector('0.01'), 2);
    const run = await runCliCaptured([
      'analyze',
      '--template',
      live,
      '--arg',
      'workload=api',
      '--prometheus',
      PROM,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/error-rate {2}Successful value=0\.01 {2}\[1\/2\]/);
    expect(run.stdout).toMatch(/error-rate {2}Successful value=0\.01 {2}\[2\/2\] → metric Successful/);
  });
});

describe('serin analyze usage errors', () => {
  it('exits 4, not 2 (Inconclusive), on an unknown option', async () => {
    const { runCliCaptured } = await import('../main.ts');
    const run = await runCliCaptured(['analyze', '--bogus']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/unknown option '--bogus'/);
  });
});
