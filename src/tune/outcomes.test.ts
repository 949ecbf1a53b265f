import { describe, expect, it } from 'vitest';
import type { AnalysisRunStatus } from '../api/index.ts';
import { outcomeOf, outcomeRates, recordOf, type RunRecord } from './outcomes.ts';

const START = Date.parse('2026-06-01T00:00:00Z');

function run(phase: AnalysisRunStatus['phase'], lastMessage?: string): AnalysisRunStatus {
  return {
    runId: 'tune-0',
    kind: 'Step',
    revision: 'r',
    startedAt: new Date(START).toISOString(),
    ...(phase === 'Running' ? {} : { finishedAt: new Date(START + 120_000).toISOString() }),
    phase,
    metrics: [
      {
        name: 'error-rate',
        phase,
        count: 1,
        successful: 0,
        failed: 0,
        inconclusive: 0,
        error: 0,
        consecutiveError: 0,
        measurements: [
          {
            phase: phase === 'Running' ? 'Successful' : phase,
            value: phase === 'Inconclusive' && lastMessage?.startsWith('insufficient') ? '12' : '0.01',
            startedAt: new Date(START).toISOString(),
            finishedAt: new Date(START).toISOString(),
            ...(lastMessage === undefined ? {} : { message: lastMessage }),
          },
        ],
      },
    ],
  } as AnalysisRunStatus;
}

describe('run outcomes', () => {
  it('keeps low traffic, no data and an unmet condition apart, and none of them counts as Failed', () => {
    expect(outcomeOf(run('Inconclusive', 'insufficient traffic: 12 < 50'))).toBe('InconclusiveLowTraffic');
    expect(outcomeOf(run('Inconclusive', 'no data: empty vector'))).toBe('InconclusiveNoData');
    expect(outcomeOf(run('Inconclusive'))).toBe('InconclusiveThreshold');
    expect(outcomeOf(run('Error', 'query timed out'))).toBe('Error');
    expect(outcomeOf(run('Failed'))).toBe('Failed');
    expect(outcomeOf(run('Running'))).toBe('NoVerdict');
  });

  it("leaves a low-traffic measurement's request count out of the metric's values", () => {
    expect(
      recordOf(run('Inconclusive', 'insufficient traffic: 12 < 50'), START).values['error-rate'],
    ).toEqual([]);
    expect(recordOf(run('Failed'), START).values['error-rate']).toEqual([0.01]);
  });

  it('gives each outcome its own share of all runs, with a Wilson interval', () => {
    const records: RunRecord[] = [
      ...Array.from({ length: 6 }, () => ({ start: START, outcome: 'Successful' as const, values: {} })),
      { start: START, outcome: 'Failed', values: {} },
      { start: START, outcome: 'InconclusiveLowTraffic', values: {} },
      { start: START, outcome: 'InconclusiveNoData', values: {} },
      { start: START, outcome: 'Error', values: {} },
    ];
    const rates = outcomeRates(records);
    expect(rates.Failed.rate).toBe(0.1);
    expect(rates.InconclusiveLowTraffic.rate).toBe(0.1);
    expect(rates.InconclusiveNoData.rate).toBe(0.1);
    expect(rates.Error.rate).toBe(0.1);
    expect(rates.Successful.rate).toBe(0.6);
    expect(rates.Failed.lower).toBeGreaterThan(0);
    expect(rates.Failed.upper).toBeLessThan(1);
  });
});
