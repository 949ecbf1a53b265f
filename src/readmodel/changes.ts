import { measurementText, phaseText, stepText, weightBar } from './format.ts';
import type { AnalysisView, CanaryView, EventView, MetricView } from './types.ts';

function stateKey(view: CanaryView): string {
  return JSON.stringify([view.phase, view.pauseReason, view.step?.number, view.weights.canary]);
}

function stateLine(view: CanaryView): string {
  return [view.name, phaseText(view), stepText(view.step), weightBar(view.weights)]
    .filter((part) => part !== '')
    .join('  ');
}

function measurementChanged(before: MetricView | undefined, after: MetricView): boolean {
  if (after.latest === undefined) return false;
  return before?.latest?.startedAt !== after.latest.startedAt || before.latest.phase !== after.latest.phase;
}

function analysisLines(name: string, before: AnalysisView | undefined, after: AnalysisView): string[] {
  const same = before?.runId === after.runId ? before : undefined;
  const lines: string[] = [];
  for (const metric of after.metrics) {
    const previous = same?.metrics.find((m) => m.name === metric.name);
    if (measurementChanged(previous, metric)) {
      lines.push(`${name}  measured ${metric.name} = ${measurementText(metric)}`);
    }
  }
  if (same?.phase !== after.phase && after.phase !== 'Running' && after.phase !== 'Pending') {
    const why = after.message === undefined ? '' : `: ${after.message}`;
    lines.push(`${name}  analysis ${after.runId} ${after.phase}${why}`);
  }
  return lines;
}

function isNewEvent(before: readonly EventView[], event: EventView): boolean {
  const previous = before.find((e) => e.id === event.id);
  return previous === undefined || previous.count < event.count;
}

/**
 * What changed between two views of one Canary, one line each, for a log (no colour, no redraw):
 * a new phase, step or weight; a new status message; each new measurement; an analysis verdict;
 * each new Event. No lines when nothing a person would notice changed.
 */
export function viewChanges(before: CanaryView | undefined, after: CanaryView): string[] {
  const name = after.name;
  const lines: string[] = [];
  if (before === undefined || stateKey(before) !== stateKey(after)) lines.push(stateLine(after));
  if (after.message !== undefined && before?.message !== after.message) {
    lines.push(`${name}  status: ${after.message}`);
  }
  if (after.analysis !== undefined) lines.push(...analysisLines(name, before?.analysis, after.analysis));
  for (const event of after.events) {
    if (isNewEvent(before?.events ?? [], event)) {
      const count = event.count > 1 ? ` (x${event.count})` : '';
      lines.push(`${name}  event ${event.type} ${event.reason}: ${event.message}${count}`);
    }
  }
  return lines;
}
