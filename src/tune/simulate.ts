import type { AnalysisTemplateSpec, Metric } from '../api/index.ts';
import { runBacktest, type JudgeRunner, type ResolvedArgs } from '../analysis/index.ts';
import type { MetricProvider } from '../ports/index.ts';
import type { RunWindow } from './plan.ts';
import { recordOf, type RunRecord } from './outcomes.ts';

/**
 * Runs the template over every planned window with the production backtest runner (the same
 * bookkeeping, CEL and provider as the controller), a few windows at a time so the query budget,
 * not Prometheus' latency, sets the pace. Windows are independent: no evidence rule (the history
 * is the stable workload's, not a canary that just got traffic).
 */
export interface SimulateInput {
  readonly templates: readonly AnalysisTemplateSpec[];
  readonly args: ResolvedArgs;
  readonly provider: MetricProvider;
  readonly windows: readonly RunWindow[];
  /** The production judge runner over `provider`, for judge metrics (tune.ts). */
  readonly judgeFor?: (provider: MetricProvider) => JudgeRunner;
  /** Runs in flight at once (default 8). */
  readonly concurrency?: number;
  /** Called after each run. */
  readonly onRun?: (done: number, total: number) => void;
}

export async function simulateRuns(input: SimulateInput): Promise<RunRecord[]> {
  const records: RunRecord[] = new Array<RunRecord>(input.windows.length);
  let next = 0;
  let done = 0;
  const judge = input.judgeFor?.(input.provider);
  const worker = async (): Promise<void> => {
    while (next < input.windows.length) {
      const index = next++;
      const window = input.windows[index] as RunWindow;
      const run = await runBacktest({
        templates: input.templates,
        args: input.args,
        provider: input.provider,
        from: window.start,
        to: window.end,
        historyLimit: Number.MAX_SAFE_INTEGER,
        runId: `tune-${index}`,
        ...(judge === undefined ? {} : { judge }),
      });
      records[index] = recordOf(run, window.start);
      input.onRun?.(++done, input.windows.length);
    }
  };
  const workers = Math.max(1, Math.min(input.concurrency ?? 8, input.windows.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return records;
}

/** The template with only one of its metrics: a metric's own rates, as if it ran alone. */
export function soloTemplate(
  templates: readonly AnalysisTemplateSpec[],
  metric: Metric,
): AnalysisTemplateSpec {
  const owner = templates.find((t) => t.metrics.includes(metric)) ?? templates[0];
  return { ...(owner ?? { metrics: [] }), metrics: [metric] };
}
