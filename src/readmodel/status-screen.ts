import type { ApprovalRecord } from '../api/index.ts';
import {
  MEASUREMENT_MARK,
  PLAIN_STYLE,
  eventText,
  formatMeasured,
  phaseText,
  stepText,
  timeOfDay,
  weightBar,
  type TextStyle,
} from './format.ts';
import type { MetricDetail, RunDetail, StatusView, StepLine } from './status-view.ts';

const STEP_MARK: Record<StepLine['state'], string> = { done: '✓', current: '▶', pending: ' ' };

function stepLines(steps: readonly StepLine[], style: TextStyle): string[] {
  const width = Math.max(0, ...steps.map((s) => s.description.length));
  return steps.map((step) => {
    const text = `${String(step.number).padStart(2)}. ${step.description.padEnd(width)}`;
    if (step.state === 'current') return `  ${style.bold(`▶ ${text}`)}  ${style.dim('<- here')}`;
    return `  ${STEP_MARK[step.state]} ${step.state === 'done' ? style.dim(text) : text}`.trimEnd();
  });
}

function recentText(metric: MetricDetail, style: TextStyle): string {
  if (metric.recent.length === 0) return style.dim('not measured yet');
  return metric.recent
    .map((m) => {
      const mark = MEASUREMENT_MARK[m.phase];
      const value = m.value === undefined ? (m.message ?? m.phase) : formatMeasured(m.value);
      const text = `${mark} ${value}`;
      return m.phase === 'Successful' ? style.good(text) : style.bad(text);
    })
    .join('  ');
}

function runLines(run: RunDetail, style: TextStyle): string[] {
  const where = run.kind === 'Background' ? 'background' : `step ${run.step ?? '?'}`;
  const why = run.message === undefined ? '' : `: ${run.message}`;
  const lines = [`  ${style.bold(run.phase)} ${run.runId} (${where})${why}`];
  const width = Math.max(0, ...run.metrics.map((m) => m.name.length));
  for (const metric of run.metrics) {
    const condition = metric.condition === undefined ? '' : `  ${style.dim(`vs ${metric.condition}`)}`;
    const counts = style.dim(`${metric.count} measured, ${metric.failed} failed`);
    lines.push(
      `    ${metric.name.padEnd(width)}  ${metric.phase}  ${recentText(metric, style)}${condition}  ${counts}`,
    );
  }
  return lines;
}

function approvalLine(record: ApprovalRecord, style: TextStyle): string {
  const step = record.step === undefined ? '' : ` step ${record.step + 1}`;
  const result = record.result ?? 'Pending';
  const marked = result === 'Rejected' ? style.bad(result) : style.good(result);
  const reason = record.reason === undefined ? '' : ` (${record.reason})`;
  const name = record.name === undefined ? '' : style.dim(` ${record.name}`);
  return `  ${style.dim(timeOfDay(record.time))} ${record.approver}: ${record.action}${step} revision ${record.revision} -> ${marked}${reason}${name}`;
}

function section(title: string, body: readonly string[], style: TextStyle, empty = 'none'): string[] {
  return [style.dim(title), ...(body.length === 0 ? [`  ${style.dim(empty)}`] : body)];
}

/**
 * The screen `serin status` prints: the state and weights, the steps with a marker at the current
 * one, each metric's recent measurements against its condition, approvals, Events, and what serin
 * waits for with the command that acts on it.
 */
export function renderStatus(status: StatusView, style: TextStyle = PLAIN_STYLE): string[] {
  const { view } = status;
  const where = view.namespace === undefined ? '' : style.dim(`  namespace ${view.namespace}`);
  const suspended = status.suspended ? style.bad('  (spec.suspend: true)') : '';
  const lines = [
    `${style.bold(view.name)}${where}  ${style.phase(phaseText(view), view.phase)}  ${stepText(view.step)}${suspended}`.trimEnd(),
    `${style.dim('revision'.padEnd(10))}${view.revision ?? '-'}  ${style.dim(`stable ${view.stableRevision ?? '-'}`)}`,
    `${style.dim('weights'.padEnd(10))}${weightBar(view.weights)}`,
  ];
  if (view.message !== undefined) lines.push(`${style.dim('message'.padEnd(10))}${view.message}`);
  lines.push(...section('steps', stepLines(status.steps, style), style));
  lines.push(
    ...section(
      'analysis',
      status.runs.flatMap((run) => runLines(run, style)),
      style,
      'none for this revision',
    ),
  );
  lines.push(
    ...section(
      'approvals',
      status.approvals.map((a) => approvalLine(a, style)),
      style,
    ),
  );
  lines.push(
    ...section(
      'events',
      view.events.map((e) => `  ${eventText(e, style)}`),
      style,
    ),
  );
  lines.push(`${style.dim('waiting for')} ${status.waiting.text}`);
  for (const command of status.waiting.commands) lines.push(`  ${command}`);
  return lines;
}
