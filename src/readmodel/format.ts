import type { MeasurementPhase } from '../api/index.ts';
import type { CanaryView, EventView, MetricView, StepView, Weights } from './types.ts';

/** Optional decoration (colour) for the text views; the plain style returns text unchanged. */
export interface TextStyle {
  phase(text: string, phase: CanaryView['phase']): string;
  good(text: string): string;
  bad(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const same = (text: string): string => text;

/** No decoration: for logs, files and tests. */
export const PLAIN_STYLE: TextStyle = { phase: same, good: same, bad: same, dim: same, bold: same };

/** The mark shown beside a measurement: pass, fail, inconclusive, error. */
export const MEASUREMENT_MARK: Record<MeasurementPhase, string> = {
  Successful: '✓',
  Failed: '✗',
  Inconclusive: '?',
  Error: '!',
};

/** A measured value for people: at most 4 significant digits; ±Inf, NaN and lists stay as written. */
export function formatMeasured(value: string | undefined): string {
  if (value === undefined) return '-';
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) return value;
  return String(Number(number.toPrecision(4)));
}

function filledCells(percent: number, cells: number): number {
  const filled = Math.round((percent / 100) * cells);
  // A share above 0 (or below 100) must be visible as such, even when it rounds away.
  if (percent > 0 && filled === 0) return 1;
  if (percent < 100 && filled === cells) return cells - 1;
  return filled;
}

function bar(percent: number, cells: number): string {
  const filled = filledCells(percent, cells);
  return '█'.repeat(filled) + '░'.repeat(cells - filled);
}

/** `primary █████████░ 90 | canary █░░░░░░░░░ 10` */
export function weightBar(weights: Weights, cells = 10): string {
  return `primary ${bar(weights.primary, cells)} ${weights.primary} | canary ${bar(weights.canary, cells)} ${weights.canary}`;
}

/** `Paused (Manual)`, or the phase alone. */
export function phaseText(view: Pick<CanaryView, 'phase' | 'pauseReason'>): string {
  return view.pauseReason === undefined ? view.phase : `${view.phase} (${view.pauseReason})`;
}

/** `step 3/5 analysis istio-success-rate` */
export function stepText(step: StepView | undefined): string {
  return step === undefined ? '' : `step ${step.number}/${step.total} ${step.description}`;
}

/** `0.8012 ✗ Failed (result >= 0.99)`: the latest measurement against the metric's condition. */
export function measurementText(metric: MetricView, style: TextStyle = PLAIN_STYLE): string {
  const latest = metric.latest;
  if (latest === undefined) return `not measured yet${conditionSuffix(metric)}`;
  const mark = `${MEASUREMENT_MARK[latest.phase]} ${latest.phase}`;
  const marked = latest.phase === 'Successful' ? style.good(mark) : style.bad(mark);
  const why = latest.message === undefined || latest.value !== undefined ? '' : ` ${latest.message}`;
  return `${formatMeasured(latest.value)} ${marked}${why}${conditionSuffix(metric)}`;
}

function conditionSuffix(metric: MetricView): string {
  return metric.condition === undefined ? '' : ` (${metric.condition})`;
}

/** `success-rate 0.8012 vs result >= 0.99: Failed`, the sentence a summary uses. */
export function versusText(metric: MetricView): string {
  const latest = metric.latest;
  if (latest === undefined) return `${metric.name}: not measured`;
  const against = metric.condition === undefined ? '' : ` vs ${metric.condition}`;
  return `${metric.name} ${formatMeasured(latest.value)}${against}: ${latest.phase}`;
}

/**
 * The measurements that decided the current analysis: the failing metrics when it failed,
 * otherwise every metric.
 */
export function decidingMetrics(view: CanaryView): readonly MetricView[] {
  const metrics = view.analysis?.metrics ?? [];
  const failing = metrics.filter((metric) => metric.phase === 'Failed' || metric.phase === 'Error');
  return failing.length > 0 ? failing : metrics;
}

/** An Event's time of day (UTC, as the API writes it), or blank. */
export function timeOfDay(iso: string): string {
  return /T(\d\d:\d\d:\d\d)/.exec(iso)?.[1] ?? '        ';
}

/** `04:25:02 Warning AnalysisFailed: message (x3)` */
export function eventText(event: EventView, style: TextStyle = PLAIN_STYLE): string {
  const type = event.type === 'Warning' ? style.bad(event.type) : style.dim(event.type);
  const count = event.count > 1 ? ` (x${event.count})` : '';
  return `${style.dim(timeOfDay(event.time))} ${type} ${event.reason}: ${event.message}${count}`;
}

/** A metric's line in the block view, names padded to `width`. */
function metricLine(metric: MetricView, width: number, style: TextStyle): string {
  const counts = style.dim(`${metric.count} measured, ${metric.failed} failed`);
  return `    ${metric.name.padEnd(width)}  ${measurementText(metric, style)}  ${counts}`;
}

/** The block shown for one Canary in a live view: state, weights, measurements, Events. */
export function renderCanaryView(view: CanaryView, style: TextStyle = PLAIN_STYLE): string[] {
  const label = (text: string): string => style.dim(text.padEnd(10));
  const lines = [
    `${style.bold(view.name)}  ${style.phase(phaseText(view), view.phase)}  ${stepText(view.step)}`.trimEnd(),
    `  ${label('revision')}${view.revision ?? '-'}  ${style.dim(`stable ${view.stableRevision ?? '-'}`)}`,
    `  ${label('weights')}${weightBar(view.weights)}`,
  ];
  const analysis = view.analysis;
  if (analysis !== undefined) {
    lines.push(`  ${label('analysis')}${analysis.runId} ${analysis.phase}`);
    const width = Math.max(0, ...analysis.metrics.map((metric) => metric.name.length));
    for (const metric of analysis.metrics) lines.push(metricLine(metric, width, style));
  }
  if (view.message !== undefined) lines.push(`  ${label('message')}${view.message}`);
  lines.push(`  ${style.dim('events')}`);
  if (view.events.length === 0) lines.push(`    ${style.dim('none yet')}`);
  for (const event of view.events) lines.push(`    ${eventText(event, style)}`);
  return lines;
}
