import { effectiveCount } from '../analysis/index.ts';
import type { MeasurementOutcome } from '../analysis/index.ts';
import type { AnalysisPhase, AnalysisRunStatus, Metric, MetricStatus } from '../api/index.ts';
import {
  formatInterval,
  formatStatistic,
  summarizeJudgement,
  type Judgement,
} from '../providers/judge/index.ts';
import { EXIT } from './exit-codes.ts';

/** How `serin analyze` prints runs and which exit code a verdict gives. */

/** 0 Successful, 1 Failed, 2 Inconclusive, 3 Error; a backtest window that ends undecided is 2. */
export function exitCodeFor(phase: AnalysisPhase): number {
  switch (phase) {
    case 'Successful':
      return EXIT.ok;
    case 'Failed':
      return EXIT.problems;
    case 'Inconclusive':
    case 'Pending':
    case 'Running':
      return EXIT.usage;
    case 'Error':
      return EXIT.analysisError;
  }
}

const time = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One live progress line: time, metric, phase, value, `[n/total]` and message. */
export function progressLine(
  metric: Metric,
  outcome: MeasurementOutcome,
  status: MetricStatus | undefined,
): string {
  const total = effectiveCount(metric);
  const progress = `[${status?.count ?? 0}/${total === undefined ? '∞' : total}]`;
  const errors = status && status.error > 0 ? ` errors=${status.error}` : '';
  const value = outcome.value === undefined ? '' : ` value=${outcome.value}`;
  const message = outcome.message === undefined ? '' : `  ${outcome.message}`;
  const phase = status && status.phase !== 'Running' ? ` → metric ${status.phase}` : '';
  // A deferred measurement is not a verdict (the evidence rule): its message says what it read.
  const verdict = outcome.deferredUntil === undefined ? outcome.phase : 'Deferred';
  return `${time(outcome.startedAt)}  ${metric.name}  ${verdict}${value}  ${progress}${errors}${phase}${message}\n`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return (
    rows
      .map((row) =>
        row
          .map((cell, col) => cell.padEnd(widths[col] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** The per-metric summary and the verdict. */
export function summaryTable(run: AnalysisRunStatus): string {
  const rows = [
    ['METRIC', 'PHASE', 'COUNT', 'SUCCESSFUL', 'FAILED', 'INCONCLUSIVE', 'ERROR', 'LAST VALUE', 'MESSAGE'],
  ];
  for (const m of run.metrics) {
    rows.push([
      m.dryRun === true ? `${m.name} (dry-run)` : m.name,
      m.phase,
      String(m.count),
      String(m.successful),
      String(m.failed),
      String(m.inconclusive),
      String(m.error),
      m.measurements.at(-1)?.value ?? '',
      m.message ?? '',
    ]);
  }
  const when = run.finishedAt === undefined ? '' : ` at ${run.finishedAt.replace(/\.\d{3}Z$/, 'Z')}`;
  const why = run.message === undefined ? '' : ` (${run.message})`;
  return `${table(rows)}\nVerdict: ${run.phase}${when}${why}\n`;
}

/** Every recorded measurement per metric, then the summary: what a backtest prints. */
export function backtestReport(run: AnalysisRunStatus, from: number, to: number): string {
  let out = `Backtest from ${time(from)} to ${time(to)}\n\n`;
  for (const m of run.metrics) {
    out += `${m.name}${m.dryRun === true ? ' (dry-run)' : ''}: ${m.phase}\n`;
    const rows = [['TIME', 'PHASE', 'VALUE', 'MESSAGE']];
    for (const x of m.measurements)
      rows.push([x.startedAt.replace(/\.\d{3}Z$/, 'Z'), x.phase, x.value ?? '', x.message ?? '']);
    out += m.measurements.length > 0 ? table(rows) : '  (no measurement in the window)\n';
    if (m.count + m.error > m.measurements.length)
      out += `  (only the last ${m.measurements.length} of ${m.count + m.error} measurements are kept)\n`;
    out += '\n';
  }
  const after =
    run.finishedAt === undefined
      ? ''
      : ` (${Math.round((Date.parse(run.finishedAt) - from) / 1000)}s after --from)`;
  return `${out}${summaryTable(run).trimEnd()}${after}\n`;
}

/** One judge measurement and the metric it belongs to. */
export interface JudgeRecord {
  readonly metric: string;
  readonly judgement: Judgement;
}

/** The statistics of a judge measurement in one line, for live progress output; undefined when no test ran. */
export function judgeProgressLine(record: JudgeRecord): string | undefined {
  const { result, series } = record.judgement;
  if (result === undefined) return undefined;
  return `    judge ${record.metric}: ${summarizeJudgement(result, series)}\n`;
}

const JUDGE_COLUMNS = [
  'TIME',
  'METRIC',
  'RESULT',
  'P-VALUE',
  'SHIFT',
  'CI',
  'BAND',
  'MEAN RATIO',
  'CLES',
  'N (B/C)',
  'METHOD',
  'REASON',
];

// A measurement whose queries failed or returned nothing has no statistics, only a reason.
function untested({ metric, judgement }: JudgeRecord): string[] {
  const { outcome } = judgement;
  const [result, why] =
    outcome.kind === 'error'
      ? ['Error', outcome.message]
      : ['NoData', outcome.kind === 'noData' ? outcome.reason : ''];
  return [time(judgement.at), metric, result, '-', '-', '-', '-', '-', '-', '-', '-', why];
}

function judgeRow(record: JudgeRecord): string[] {
  const { result } = record.judgement;
  if (result === undefined) return untested(record);
  return [
    time(record.judgement.at),
    record.metric,
    result.classification,
    formatStatistic(result.pValue),
    formatStatistic(result.estimate),
    formatInterval(result.ci),
    formatInterval(result.band),
    formatStatistic(result.effectSize?.meanRatio),
    formatStatistic(result.effectSize?.cles),
    `${result.n.baseline}/${result.n.canary}`,
    result.method,
    result.reason,
  ];
}

/** Every judge measurement with its statistics: what `serin analyze` prints after the verdict. */
export function judgeTable(records: readonly JudgeRecord[]): string {
  if (records.length === 0) return '';
  const rows = [JUDGE_COLUMNS, ...records.map(judgeRow)];
  return `\nJudge statistics (SHIFT: Hodges-Lehmann estimate of canary - baseline)\n${table(rows)}`;
}

/** Judge measurements for `--output json`: the full statistics of each, with its window and queries. */
export function judgeJson(records: readonly JudgeRecord[]): unknown[] {
  return records.map(({ metric, judgement }) => ({
    metric,
    at: new Date(judgement.at).toISOString(),
    window: {
      start: new Date(judgement.start).toISOString(),
      end: new Date(judgement.at).toISOString(),
      stepSeconds: judgement.stepMs / 1000,
    },
    queries: judgement.queries,
    ...(judgement.series === undefined ? {} : { series: judgement.series }),
    outcome: judgement.outcome,
    ...(judgement.result === undefined ? {} : { result: judgement.result }),
  }));
}
