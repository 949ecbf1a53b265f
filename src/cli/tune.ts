import { Option, type Command } from 'commander';
import { formatNumber, resolveArgs, type ResolvedArgs } from '../analysis/index.ts';
import type { AnalysisTemplateSpec } from '../api/index.ts';
import { systemClock, type Clock, type MetricProvider } from '../ports/index.ts';
import { createJudgeRunner } from '../providers/judge/index.ts';
import { createPrometheusProvider } from '../providers/prometheus/index.ts';
import { cachedProvider } from '../tune/cached-provider.ts';
import { DEFAULT_DEGRADATIONS } from '../tune/degrade.ts';
import { JUDGE_POWER_NOTE } from '../tune/judge-metrics.ts';
import { quantileName, REPORTED_QUANTILES, renderHistogram } from '../tune/distribution.ts';
import { OUTCOME_LABELS, OUTCOMES, type OutcomeRates } from '../tune/outcomes.ts';
import { planRuns, type RunPlan } from '../tune/plan.ts';
import { tune, type TuneReport } from '../tune/tune.ts';
import type { Rate } from '../tune/wilson.ts';
import {
  cliSecretReader,
  loadTemplate,
  overrideConnections,
  parseArgs,
  parseStep,
  parseTime,
} from './analyze-input.ts';
import type { CliContext } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { usageExitCode } from './program.ts';
import { table } from './table.ts';
import { readInputText } from './input-files.ts';
import { HistoryError, degradedHistory, powerUnavailable, readHistory } from './tune-history.ts';

interface TuneOptions {
  template?: string;
  file: string[];
  arg: string[];
  prometheus?: string;
  bearerTokenFile?: string;
  history: string;
  from?: string;
  to?: string;
  targetFalseAlarm: string;
  stride?: string;
  runLength?: string;
  qps: string;
  power: boolean;
  output: string;
}

/** Ports `serin tune` uses; tests replace them. */
export interface TuneDeps {
  readonly clock: Clock;
  readonly provider?: MetricProvider;
}

export const TUNE_DESCRIPTION =
  "Measure a template's false-alarm rate, value distribution and detection power on the stable workload's " +
  'history, and suggest thresholds that meet a target false-alarm rate.';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface Prepared {
  readonly spec: AnalysisTemplateSpec;
  readonly name: string;
  readonly args: ResolvedArgs;
  readonly from: number;
  readonly to: number;
  readonly target: number;
  readonly plan: RunPlan;
  readonly qps: number;
}

/** `1%`, `0.5%` or a fraction such as `0.01`. */
export function parseRate(text: string): number | undefined {
  const trimmed = text.trim();
  const percent = trimmed.endsWith('%');
  const value = Number(percent ? trimmed.slice(0, -1) : trimmed);
  if (!Number.isFinite(value) || trimmed === '' || trimmed === '%') return undefined;
  const rate = percent ? value / 100 : value;
  return rate >= 0 && rate <= 1 ? rate : undefined;
}

function window(
  options: TuneOptions,
  now: number,
): { ok: true; from: number; to: number } | { ok: false; error: string } {
  const to = parseTime(options.to ?? 'now', now);
  if (to === undefined)
    return { ok: false, error: `--to ${options.to ?? ''}: expected now, an RFC 3339 time or Unix seconds` };
  if (options.from !== undefined) {
    const from = parseTime(options.from, now);
    if (from === undefined)
      return { ok: false, error: `--from ${options.from}: expected an RFC 3339 time or Unix seconds` };
    return from < to ? { ok: true, from, to } : { ok: false, error: '--from must be before --to' };
  }
  const history = parseStep(options.history);
  if (history === undefined)
    return { ok: false, error: `--history ${options.history}: expected a duration such as 7d` };
  return { ok: true, from: to - history, to };
}

function durationOption(text: string | undefined, flag: string, errors: string[]): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseStep(text);
  if (ms === undefined) errors.push(`${flag} ${text}: expected a duration such as 5m`);
  return ms;
}

async function prepare(
  options: TuneOptions,
  now: number,
): Promise<{ ok: true; value: Prepared } | { ok: false; errors: string[] }> {
  if (options.template === undefined) return { ok: false, errors: ['--template <file|name> is required'] };
  const errors: string[] = [];
  const range = window(options, now);
  if (!range.ok) errors.push(range.error);
  const target = parseRate(options.targetFalseAlarm);
  if (target === undefined)
    errors.push(`--target-false-alarm ${options.targetFalseAlarm}: expected a rate such as 1% or 0.01`);
  const qps = Number(options.qps);
  if (!(qps > 0)) errors.push(`--qps ${options.qps}: expected a positive number`);
  const strideMs = durationOption(options.stride, '--stride', errors);
  const runLengthMs = durationOption(options.runLength, '--run-length', errors);
  const pairs = parseArgs(options.arg);
  if (!pairs.ok) errors.push(...pairs.errors);
  if (errors.length > 0 || !range.ok || !pairs.ok || target === undefined) return { ok: false, errors };
  const loaded = loadTemplate(options.template, options.file);
  if (!loaded.ok) return loaded;
  const spec = overrideConnections(
    loaded.value.spec,
    options.prometheus,
    options.bearerTokenFile !== undefined,
  );
  const resolved = await resolveArgs({
    templates: [spec],
    supplied: pairs.value.args,
    secrets: cliSecretReader(options.bearerTokenFile),
  });
  if (!resolved.ok) return { ok: false, errors: [`${loaded.value.file}: ${resolved.error}`] };
  const args = {
    values: { ...resolved.args.values, ...pairs.value.builtins },
    secrets: resolved.args.secrets,
  };
  const plan = planRuns({
    templates: [spec],
    from: range.from,
    to: range.to,
    ...(strideMs === undefined ? {} : { strideMs }),
    ...(runLengthMs === undefined ? {} : { runLengthMs }),
  });
  if (plan.windows.length === 0)
    return { ok: false, errors: ['the history is shorter than one analysis run'] };
  return {
    ok: true,
    value: { spec, name: loaded.value.name, args, from: range.from, to: range.to, target, plan, qps },
  };
}

const percent = (rate: number): string => `${formatNumber(Number((rate * 100).toPrecision(3)))}%`;
const interval = (r: Rate): string => `[${percent(r.lower)}, ${percent(r.upper)}]`;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function duration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const s = Math.round(ms / 1000);
  return s % 60 === 0 ? `${s / 60}m` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

function outcomeLines(rates: OutcomeRates): string[] {
  return table<(typeof OUTCOMES)[number]>([
    { header: 'OUTCOME', cell: (o) => OUTCOME_LABELS[o] },
    { header: 'RUNS', cell: (o) => String(rates[o].successes) },
    { header: 'SHARE', cell: (o) => percent(rates[o].rate) },
    { header: '95% CI (WILSON)', cell: (o) => interval(rates[o]) },
  ]).lines(OUTCOMES.filter((o) => o === 'Failed' || rates[o].successes > 0));
}

function valueLines(metric: TuneReport['metrics'][number]): string[] {
  const d = metric.distribution;
  if (d.count === 0) return ['  values: none measured'];
  return [
    `  values (${d.count} measured): ` +
      REPORTED_QUANTILES.map(
        (q) => `${quantileName(q)} ${formatNumber(d.quantiles[quantileName(q)] ?? NaN)}`,
      ).join('  '),
    ...renderHistogram(metric.histogram, (v) => formatNumber(Number(v.toPrecision(4)))),
  ];
}

function metricLines(report: TuneReport, prepared: Prepared): string[] {
  const lines: string[] = [];
  for (const metric of report.metrics) {
    lines.push('', `Metric ${metric.name} (alone)`);
    if (metric.judge !== undefined) lines.push(`  ${metric.judge.text}`);
    lines.push(...outcomeLines(metric.rates).map((l) => `  ${l}`));
    lines.push(...valueLines(metric));
    for (const c of metric.comparisons) {
      const suggestion =
        c.suggestion === undefined
          ? `no threshold of this form keeps it at or below ${percent(prepared.target)}`
          : `suggested ${c.comparison.field}: ${c.suggestion.condition} (false alarms ${percent(c.suggestion.rate)})`;
      lines.push(
        `  ${c.comparison.field} ${c.condition}: false alarms ${percent(c.current.rate)} ${interval(c.current)}; ${suggestion}`,
      );
    }
  }
  return lines;
}

function powerLines(report: TuneReport): string[] {
  if (report.power.length === 0) return [];
  const names = report.metrics.map((m) => m.name);
  const rows = table<TuneReport['power'][number]>([
    { header: 'DEGRADATION', cell: (r) => r.degradation },
    {
      header: 'SERIES',
      cell: (r) => (r.changed === 0 && !r.degradation.startsWith('control') ? 'n/a' : String(r.changed)),
    },
    { header: 'RUNS FAILED', cell: (r) => `${percent(r.verdict.failed.rate)} ${interval(r.verdict.failed)}` },
    { header: 'MEDIAN TIME', cell: (r) => duration(r.verdict.medianTimeToFailureMs) },
    ...names.map((name) => ({
      header: name.toUpperCase(),
      cell: (r: TuneReport['power'][number]) => {
        const m = r.metrics[name];
        return m === undefined ? 'n/a' : `${percent(m.failed.rate)} in ${duration(m.medianTimeToFailureMs)}`;
      },
    })),
  ]).lines(report.power);
  return [
    '',
    'Detection power: regressions injected into a copy of the history (docs/tuning.md); the queries are unchanged.',
    'SERIES: how many series the injection changed (n/a: the template reads none it applies to).',
    ...(report.metrics.some((m) => m.judge !== undefined)
      ? [`n/a under a metric: ${JUDGE_POWER_NOTE}.`]
      : []),
    ...rows,
  ];
}

function render(
  report: TuneReport,
  prepared: Prepared,
  stats: { issued: number; reused: number; failed: number; ms: number },
  powerNote?: string,
): string {
  const plan = prepared.plan;
  const runKind =
    plan.independence === 1
      ? 'non-overlapping'
      : `overlapping, ${percent(plan.independence)} of each run its own`;
  const lines = [
    `serin tune: ${prepared.name} over ${iso(prepared.from)} .. ${iso(prepared.to)}`,
    `${report.runs} runs (${runKind}; a run every ${duration(plan.strideMs)}, ${duration(plan.spanMs)} from first to last measurement); target false-alarm rate ${percent(prepared.target)}`,
    `Queries: ${stats.issued} sent to Prometheus, ${stats.reused} answered from memory${stats.failed > 0 ? `, ${stats.failed} failed (sent again when needed again)` : ''}, ${(stats.ms / 1000).toFixed(1)}s`,
    '',
    'Verdict of the template as the controller runs it',
    ...outcomeLines(report.verdict.rates),
    `Median time to a Failed verdict: ${duration(report.verdict.medianTimeToFailureMs)}`,
    ...metricLines(report, prepared),
    ...powerLines(report),
    ...(powerNote === undefined ? [] : ['', `Detection power not measured: ${powerNote}`]),
  ];
  return `${lines.join('\n')}\n`;
}

async function execute(
  prepared: Prepared,
  options: TuneOptions,
  ctx: CliContext,
  deps: TuneDeps,
): Promise<void> {
  const started = deps.clock.now();
  const provider = cachedProvider(
    deps.provider ?? createPrometheusProvider({ secrets: cliSecretReader(options.bearerTokenFile) }),
    {
      qps: prepared.qps,
      now: () => deps.clock.now(),
      sleep: (ms) => deps.clock.sleep(ms),
    },
  );
  let lastLine = 0;
  const onProgress = (stage: string, done: number, total: number): void => {
    const now = deps.clock.now();
    if (done !== total && now - lastLine < 1000) return;
    lastLine = now;
    ctx.err(
      `${stage}: ${Math.round((done / total) * 100)}% of the range (${done}/${total} runs), ${provider.stats.issued} queries\n`,
    );
  };
  let powerNote = options.power ? powerUnavailable() : 'turned off (--no-power)';
  let history: Awaited<ReturnType<typeof readHistory>> | undefined;
  if (powerNote === undefined) {
    try {
      history = await readHistory({
        templates: [prepared.spec],
        args: prepared.args,
        from: prepared.from,
        to: prepared.to,
        ...(options.bearerTokenFile === undefined
          ? {}
          : { bearerToken: readInputText(options.bearerTokenFile).trim() }),
      });
    } catch (err) {
      if (!(err instanceof HistoryError)) throw err;
      powerNote = `the raw history could not be read: ${err.message}`;
    }
  }
  const report = await tune({
    templates: [prepared.spec],
    args: prepared.args,
    provider,
    plan: prepared.plan,
    target: prepared.target,
    // The production judge, over whichever history the runs read (the original or a degraded copy).
    judgeFor: (history) => createJudgeRunner({ provider: history, now: () => deps.clock.now() }),
    onProgress,
    ...(history === undefined
      ? {}
      : {
          degradations: DEFAULT_DEGRADATIONS,
          degraded: (d) => degradedHistory(history, d, [prepared.spec]),
        }),
  });
  const stats = { ...provider.stats, ms: deps.clock.now() - started };
  const code = report.verdict.rates.Failed.rate <= prepared.target ? EXIT.ok : EXIT.problems;
  if (options.output === 'json') {
    const document = {
      template: prepared.name,
      from: iso(prepared.from),
      to: iso(prepared.to),
      target: prepared.target,
      plan: {
        runs: report.runs,
        strideMs: prepared.plan.strideMs,
        spanMs: prepared.plan.spanMs,
        independence: prepared.plan.independence,
      },
      queries: stats,
      ...report,
      ...(powerNote === undefined ? {} : { powerSkipped: powerNote }),
      exitCode: code,
    };
    ctx.out(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    ctx.out(render(report, prepared, stats, powerNote));
  }
  ctx.exit(code);
}

/** `serin tune`: a template's false-alarm rate and detection power on history. */
export function registerTune(
  program: Command,
  ctx: CliContext,
  deps: TuneDeps = { clock: systemClock },
): void {
  const command = program.command('tune');
  usageExitCode(command, EXIT.invalidInput);
  command
    .description(TUNE_DESCRIPTION)
    .option('-t, --template <file|name>', 'template file, or the name of a template in the --file paths')
    .option('-f, --file <path>', 'YAML file or directory holding templates (repeatable)', collect, [])
    .option('-a, --arg <key=value>', 'template argument naming the stable workload (repeatable)', collect, [])
    .option('--prometheus <url>', "override every metric's Prometheus address")
    .option('--bearer-token-file <file>', 'send the token in this file as a bearer token')
    .option('--history <duration>', 'how far back from --to to look', '7d')
    .option('--from <time>', 'start of the history instead of --history (RFC 3339 or Unix seconds)')
    .option('--to <time>', 'end of the history (default now)')
    .option('--target-false-alarm <rate>', 'false-alarm rate the suggested thresholds must meet', '1%')
    .option('--stride <duration>', 'start a run this often (default: runs end to end, without overlap)')
    .option('--run-length <duration>', 'how long a metric without count runs (default 10m)')
    .option('--qps <n>', 'queries per second to Prometheus at most', '20')
    .option('--no-power', 'skip detection power (which needs prometheus and promtool on this machine)')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .addHelpText(
      'after',
      "\nExit codes:\n  0  the template's false-alarm rate is at or below --target-false-alarm\n" +
        '  1  it is above the target\n  4  usage or invalid template (with the lint messages)\n' +
        '\nProgress goes to stderr. See docs/tuning.md.',
    )
    .action(async (options: TuneOptions) => {
      const prepared = await prepare(options, deps.clock.now());
      if (!prepared.ok) {
        for (const error of prepared.errors) ctx.err(`serin tune: ${error}\n`);
        ctx.exit(EXIT.invalidInput);
        return;
      }
      await execute(prepared.value, options, ctx, deps);
    });
}
