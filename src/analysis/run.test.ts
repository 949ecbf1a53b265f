import { describe, expect, it } from 'vitest';
import { metric, template } from '../../test/analysis/helpers.ts';
import { AnalysisRunStatus, type MeasurementPhase, type Metric } from '../api/index.ts';
import {
  dueMeasurements,
  nextDueAt,
  recordMeasurement,
  runPhase,
  startRun,
  terminateRun,
  type MeasurementOutcome,
} from './run.ts';

const T0 = Date.parse('2025-01-01T00:00:00Z');

function start(...metrics: Metric[]): AnalysisRunStatus {
  return startRun({
    runId: 'r1',
    kind: 'Step',
    revision: 'abc',
    step: 2,
    templates: [template(...metrics)],
    now: T0,
  });
}

function outcome(phase: MeasurementPhase, at: number, value?: string): MeasurementOutcome {
  return { phase, startedAt: at, finishedAt: at, ...(value === undefined ? {} : { value }) };
}

/** Records the phases in order, each at the time the metric is next due. */
function play(m: Metric, phases: MeasurementPhase[], run: AnalysisRunStatus = start(m)): AnalysisRunStatus {
  let current = run;
  for (const phase of phases) {
    const status = current.metrics.find((s) => s.name === m.name);
    const at = Date.parse(status?.nextMeasurementAt ?? new Date(T0).toISOString());
    current = recordMeasurement(current, m, outcome(phase, at));
  }
  return current;
}

function status(run: AnalysisRunStatus, name = 'error-rate') {
  const found = run.metrics.find((m) => m.name === name);
  if (!found) throw new Error(`no metric ${name}`);
  return found;
}

describe('scheduling', () => {
  it('takes one measurement when neither interval nor count is set', () => {
    const m = metric();
    const run = play(m, ['Successful']);
    expect(status(run).phase).toBe('Successful');
    expect(run.phase).toBe('Successful');
    expect(nextDueAt(run)).toBeUndefined();
  });

  it('measures until stopped when an interval is set and count is absent', () => {
    const m = metric({ interval: '1m' });
    const run = play(m, Array<MeasurementPhase>(20).fill('Successful'));
    expect(run.phase).toBe('Running');
    expect(status(run).count).toBe(20);
  });

  it('measures until stopped when an interval is set and count is 0', () => {
    const m = metric({ interval: '1m', count: 0 });
    expect(play(m, ['Successful', 'Successful', 'Successful']).phase).toBe('Running');
  });

  it('waits initialDelay before the first measurement', () => {
    const m = metric({ initialDelay: '30s' });
    const run = start(m);
    expect(dueMeasurements(run, [m], T0)).toEqual([]);
    expect(dueMeasurements(run, [m], T0 + 29_999)).toEqual([]);
    expect(dueMeasurements(run, [m], T0 + 30_000)).toEqual(['error-rate']);
    expect(nextDueAt(run)).toBe(T0 + 30_000);
  });

  it('schedules the next measurement one interval after the last one finished', () => {
    const m = metric({ interval: '1m', count: 3 });
    const run = recordMeasurement(start(m), m, {
      phase: 'Successful',
      startedAt: T0,
      finishedAt: T0 + 2_000,
    });
    expect(status(run).nextMeasurementAt).toBe(new Date(T0 + 62_000).toISOString());
    expect(dueMeasurements(run, [m], T0 + 61_999)).toEqual([]);
    expect(dueMeasurements(run, [m], T0 + 62_000)).toEqual(['error-rate']);
  });

  it('retries 10s after an error instead of a full interval', () => {
    const m = metric({ interval: '5m', count: 3 });
    const run = play(m, ['Error']);
    expect(nextDueAt(run)).toBe(T0 + 10_000);
  });

  it('retries after the interval when it is shorter than 10s', () => {
    const m = metric({ interval: '2s', count: 3 });
    expect(nextDueAt(play(m, ['Error']))).toBe(T0 + 2_000);
  });

  it('retries an errored one-shot metric after 10s', () => {
    const m = metric();
    const run = play(m, ['Error']);
    expect(run.phase).toBe('Running');
    expect(nextDueAt(run)).toBe(T0 + 10_000);
  });

  it('does not count errors toward count', () => {
    const m = metric({ interval: '1m', count: 2 });
    const run = play(m, ['Error', 'Successful', 'Error', 'Successful']);
    expect(status(run)).toMatchObject({ count: 2, error: 2, successful: 2, phase: 'Successful' });
  });

  it('starts the run in Error when count > 1 has no interval', () => {
    const run = start(metric({ count: 3 }));
    expect(run.phase).toBe('Error');
    expect(run.message).toContain('needs an interval');
  });

  it('starts the run in Error when two templates define the same metric', () => {
    const m = metric();
    const run = startRun({
      runId: 'r',
      kind: 'Background',
      revision: 'a',
      templates: [template(m), template(m)],
      now: T0,
    });
    expect(run.phase).toBe('Error');
    expect(run.message).toContain('more than one template');
  });
});

describe('limits', () => {
  it('fails on the first failed measurement with the default failureLimit 0', () => {
    const run = play(metric({ interval: '1m', count: 5 }), ['Successful', 'Failed']);
    expect(status(run).phase).toBe('Failed');
    expect(run.phase).toBe('Failed');
    expect(run.message).toContain('failed (1) > failureLimit (0)');
  });

  it('fails when failures exceed failureLimit, not before', () => {
    const m = metric({ interval: '1m', count: 10, failureLimit: 2 });
    expect(play(m, ['Failed', 'Failed']).phase).toBe('Running');
    expect(play(m, ['Failed', 'Failed', 'Failed']).phase).toBe('Failed');
  });

  it('succeeds when count is reached with failures within failureLimit', () => {
    const m = metric({ interval: '1m', count: 3, failureLimit: 1 });
    expect(play(m, ['Failed', 'Successful', 'Successful']).phase).toBe('Successful');
  });

  it('never fails on failures when failureLimit is -1', () => {
    const m = metric({ interval: '1m', count: 4, failureLimit: -1 });
    expect(play(m, ['Failed', 'Failed', 'Failed', 'Failed']).phase).toBe('Successful');
  });

  it('is Inconclusive when inconclusive measurements exceed inconclusiveLimit', () => {
    const m = metric({ interval: '1m', count: 5, inconclusiveLimit: 1 });
    expect(play(m, ['Inconclusive']).phase).toBe('Running');
    const run = play(m, ['Inconclusive', 'Successful', 'Inconclusive']);
    expect(run.phase).toBe('Inconclusive');
    expect(status(run).message).toBe('inconclusive (2) > inconclusiveLimit (1)');
  });

  it('errors after 5 consecutive errors with the default consecutiveErrorLimit 4', () => {
    const m = metric({ interval: '1m', count: 3 });
    expect(play(m, Array<MeasurementPhase>(4).fill('Error')).phase).toBe('Running');
    const run = play(m, Array<MeasurementPhase>(5).fill('Error'));
    expect(run.phase).toBe('Error');
    expect(status(run).message).toBe('consecutive errors (5) > consecutiveErrorLimit (4)');
  });

  it('resets the consecutive error count after a measurement that is not an error', () => {
    const m = metric({ interval: '1m', count: 10 });
    const run = play(m, [
      'Error',
      'Error',
      'Error',
      'Error',
      'Successful',
      'Error',
      'Error',
      'Error',
      'Error',
    ]);
    expect(run.phase).toBe('Running');
    expect(status(run)).toMatchObject({ error: 8, consecutiveError: 4 });
  });

  it('errors on the first error when consecutiveErrorLimit is 0', () => {
    expect(play(metric({ interval: '1m', count: 3, consecutiveErrorLimit: 0 }), ['Error']).phase).toBe(
      'Error',
    );
  });

  it('succeeds after consecutiveSuccessLimit consecutive successes, before count', () => {
    const m = metric({ interval: '1m', count: 10, failureLimit: 5, consecutiveSuccessLimit: 3 });
    const run = play(m, ['Successful', 'Failed', 'Successful', 'Successful', 'Successful']);
    expect(run.phase).toBe('Successful');
    expect(status(run).count).toBe(5);
  });

  it('is Inconclusive when count ends before consecutiveSuccessLimit is reached', () => {
    const m = metric({ interval: '1m', count: 4, failureLimit: 3, consecutiveSuccessLimit: 3 });
    const run = play(m, ['Successful', 'Successful', 'Failed', 'Successful']);
    expect(run.phase).toBe('Inconclusive');
  });

  it('fails only after consecutiveFailureLimit consecutive failures', () => {
    const m = metric({ interval: '1m', count: 10, consecutiveFailureLimit: 3 });
    expect(play(m, ['Failed', 'Failed']).phase).toBe('Running');
    const run = play(m, ['Failed', 'Failed', 'Failed']);
    expect(run.phase).toBe('Failed');
    expect(status(run).message).toContain('consecutiveFailureLimit (3)');
  });

  it('restarts the consecutive failure count after a success (a flaky metric is not a bad canary)', () => {
    const m = metric({ interval: '1m', count: 6, consecutiveFailureLimit: 2 });
    expect(play(m, ['Failed', 'Successful', 'Failed', 'Successful', 'Failed', 'Successful']).phase).toBe(
      'Successful',
    );
  });

  it('still caps total failures with a positive failureLimit beside consecutiveFailureLimit', () => {
    const m = metric({ interval: '1m', count: 10, consecutiveFailureLimit: 3, failureLimit: 2 });
    expect(play(m, ['Failed', 'Successful', 'Failed', 'Successful', 'Failed']).phase).toBe('Failed');
  });
});

describe('run phase', () => {
  const a = metric({ name: 'a', interval: '1m', count: 3 });
  const b = metric({ name: 'b', interval: '1m', count: 3 });
  const c = metric({ name: 'c', interval: '1m', count: 3 });

  function phases(
    run: AnalysisRunStatus,
    values: Record<string, AnalysisRunStatus['phase']>,
  ): AnalysisRunStatus {
    return { ...run, metrics: run.metrics.map((m) => ({ ...m, phase: values[m.name] ?? m.phase })) };
  }

  it('is Failed when any metric failed, even beside Error and Inconclusive', () => {
    expect(runPhase(phases(start(a, b, c), { a: 'Inconclusive', b: 'Error', c: 'Failed' }))).toBe('Failed');
  });

  it('is Error when a metric errored and none failed', () => {
    expect(runPhase(phases(start(a, b, c), { a: 'Inconclusive', b: 'Error', c: 'Successful' }))).toBe(
      'Error',
    );
  });

  it('is Inconclusive when a metric is Inconclusive and none failed or errored', () => {
    expect(runPhase(phases(start(a, b), { a: 'Inconclusive', b: 'Running' }))).toBe('Inconclusive');
  });

  it('is Successful only when every metric is complete', () => {
    expect(runPhase(phases(start(a, b), { a: 'Successful', b: 'Running' }))).toBe('Running');
    expect(runPhase(phases(start(a, b), { a: 'Successful', b: 'Successful' }))).toBe('Successful');
  });

  it('stops measuring the other metrics once the run is decided', () => {
    let run = start(a, b);
    run = recordMeasurement(run, a, outcome('Failed', T0));
    expect(run.phase).toBe('Failed');
    expect(run.finishedAt).toBe(new Date(T0).toISOString());
    expect(dueMeasurements(run, [a, b], T0 + 3_600_000)).toEqual([]);
    expect(nextDueAt(run)).toBeUndefined();
    expect(status(run, 'b').message).toBe('not measured further: the run ended Failed');
  });

  it('records dry-run metrics but never lets them affect the run phase', () => {
    const dry = metric({ name: 'dry', dryRun: true });
    const real = metric({ name: 'real' });
    let run = start(dry, real);
    run = recordMeasurement(run, dry, outcome('Failed', T0, '0.5'));
    expect(status(run, 'dry')).toMatchObject({ phase: 'Failed', dryRun: true, failed: 1 });
    expect(run.phase).toBe('Running');
    run = recordMeasurement(run, real, outcome('Successful', T0));
    expect(run.phase).toBe('Successful');
    expect(run.message).toBe('dry-run metric "dry" Failed (ignored)');
  });

  it('ignores a measurement recorded after the run completed', () => {
    const m = metric();
    const done = play(m, ['Successful']);
    expect(recordMeasurement(done, m, outcome('Failed', T0 + 1))).toBe(done);
  });

  it('ends running metrics Successful when the run is terminated', () => {
    const m = metric({ interval: '1m' });
    const run = terminateRun(play(m, ['Successful', 'Successful']), T0 + 600_000, 'rollout done');
    expect(run.phase).toBe('Successful');
    expect(status(run)).toMatchObject({ phase: 'Successful', message: 'rollout done' });
    expect(nextDueAt(run)).toBeUndefined();
  });
});

describe('persisted state', () => {
  it('keeps only the last 10 measurements per metric', () => {
    const m = metric({ interval: '1s' });
    const run = play(m, Array<MeasurementPhase>(15).fill('Successful'));
    expect(status(run).measurements).toHaveLength(10);
    expect(status(run).count).toBe(15);
    expect(status(run).measurements[0]?.startedAt).toBe(new Date(T0 + 5_000).toISOString());
  });

  it('survives JSON and the AnalysisRunStatus schema unchanged, infinities included', () => {
    const m = metric({ interval: '1m', count: 3 });
    let run = start(m);
    run = recordMeasurement(run, m, outcome('Failed', T0, '+Inf'));
    const restored = AnalysisRunStatus.parse(JSON.parse(JSON.stringify(run)));
    expect(restored).toEqual(run);
    expect(status(restored).measurements[0]?.value).toBe('+Inf');
  });

  it('resumes from the persisted status after a restart', () => {
    const m = metric({ interval: '1m', count: 3 });
    const first = play(m, ['Successful']);
    const resumed = AnalysisRunStatus.parse(JSON.parse(JSON.stringify(first)));
    const done = play(m, ['Successful', 'Successful'], resumed);
    expect(done.phase).toBe('Successful');
    expect(status(done).count).toBe(3);
  });

  it('reports the earliest due time across metrics', () => {
    const slow = metric({ name: 'slow', interval: '5m', count: 2 });
    const fast = metric({ name: 'fast', interval: '1m', count: 2 });
    let run = start(slow, fast);
    run = recordMeasurement(run, slow, outcome('Successful', T0));
    run = recordMeasurement(run, fast, outcome('Successful', T0));
    expect(nextDueAt(run)).toBe(T0 + 60_000);
    expect(dueMeasurements(run, [slow, fast], T0 + 60_000)).toEqual(['fast']);
  });
});
