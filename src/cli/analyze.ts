import { Option, type Command } from 'commander';
import {
  resolveArgs,
  runBacktest,
  runLive,
  type JudgeRunner,
  type MeasurementListener,
  type ResolvedArgs,
  type WebRunner,
} from '../analysis/index.ts';
import type { AnalysisRunStatus, AnalysisTemplateSpec, JudgeProvider } from '../api/index.ts';
import { systemClock, type Clock, type MetricProvider } from '../ports/index.ts';
import { createJudgeRunner } from '../providers/judge/index.ts';
import { createPrometheusProvider } from '../providers/prometheus/index.ts';
import { createWebRunner } from '../providers/web/index.ts';
import {
  cliSecretReader,
  loadTemplate,
  overrideConnections,
  parseArgs,
  parseStep,
  parseTime,
} from './analyze-input.ts';
import {
  backtestReport,
  exitCodeFor,
  judgeJson,
  judgeProgressLine,
  judgeTable,
  progressLine,
  summaryTable,
  type JudgeRecord,
} from './analyze-output.ts';
import type { CliContext } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { outputOption, usageExitCode } from './program.ts';

interface AnalyzeOptions {
  template?: string;
  file: string[];
  arg: string[];
  prometheus?: string;
  bearerTokenFile?: string;
  once?: boolean;
  from?: string;
  to?: string;
  step?: string;
  trafficSince?: string;
  previousTrafficUntil?: string;
  output: string;
}

/** Ports `serin analyze` uses; tests replace the clock. */
export interface AnalyzeDeps {
  readonly clock: Clock;
  readonly provider?: MetricProvider;
  readonly web?: WebRunner;
}

type Mode =
  { kind: 'live' } | { kind: 'once' } | { kind: 'backtest'; from: number; to: number; stepMs?: number };

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const TIME_HELP = 'expected now, now-1h, an RFC 3339 time or Unix seconds';

function backtestMode(
  options: AnalyzeOptions,
  from: string,
  now: number,
): { ok: true; mode: Mode } | { ok: false; errors: string[] } {
  const start = parseTime(from, now);
  const end = parseTime(options.to ?? 'now', now);
  const stepMs = options.step === undefined ? undefined : parseStep(options.step);
  const errors: string[] = [];
  if (start === undefined) errors.push(`--from ${from}: ${TIME_HELP}`);
  if (end === undefined) errors.push(`--to ${options.to ?? ''}: ${TIME_HELP}`);
  if (options.step !== undefined && stepMs === undefined)
    errors.push(`--step ${options.step}: expected a duration such as 1m`);
  if (start === undefined || end === undefined || errors.length > 0) return { ok: false, errors };
  if (start >= end) return { ok: false, errors: ['--from must be before --to'] };
  return {
    ok: true,
    mode: { kind: 'backtest', from: start, to: end, ...(stepMs === undefined ? {} : { stepMs }) },
  };
}

function modeOf(
  options: AnalyzeOptions,
  now: number,
): { ok: true; mode: Mode } | { ok: false; errors: string[] } {
  if (options.from !== undefined) {
    if (options.once === true) return { ok: false, errors: ['--once and --from/--to cannot be combined'] };
    return backtestMode(options, options.from, now);
  }
  if (options.to !== undefined || options.step !== undefined) {
    return { ok: false, errors: ['--to and --step need --from (a backtest)'] };
  }
  return { ok: true, mode: options.once === true ? { kind: 'once' } : { kind: 'live' } };
}

// --once: one measurement per metric, now, and the run's verdict is that measurement's phase
// (limits written for a series of measurements would otherwise let one failure pass).
function oneShot(spec: AnalysisTemplateSpec): AnalysisTemplateSpec {
  return {
    ...spec,
    metrics: spec.metrics.map((m) => {
      const {
        interval: _i,
        count: _c,
        initialDelay: _d,
        consecutiveFailureLimit: _f,
        consecutiveSuccessLimit: _s,
        ...rest
      } = m;
      return { ...rest, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 0 };
    }),
  };
}

interface Prepared {
  readonly spec: AnalysisTemplateSpec;
  readonly args: ResolvedArgs;
  readonly mode: Mode;
  readonly provider: MetricProvider;
  readonly judge: JudgeRunner;
  readonly web: WebRunner;
  /** Every judge measurement taken, in order, for the statistics in the report. */
  readonly judgements: JudgeRecord[];
  /** --traffic-since and --previous-traffic-until: the evidence rule as the controller applies it. */
  readonly evidence: EvidenceTimes;
}

/** Epoch ms; see `MeasureContext`. */
interface EvidenceTimes {
  readonly trafficSince?: number;
  readonly previousTrafficUntil?: number;
}

function evidenceTimes(
  options: AnalyzeOptions,
  now: number,
): { ok: true; value: EvidenceTimes } | { ok: false; errors: string[] } {
  const value: { trafficSince?: number; previousTrafficUntil?: number } = {};
  const errors: string[] = [];
  for (const [key, flag] of [
    ['trafficSince', '--traffic-since'],
    ['previousTrafficUntil', '--previous-traffic-until'],
  ] as const) {
    const text = options[key];
    if (text === undefined) continue;
    const time = parseTime(text, now);
    if (time === undefined) errors.push(`${flag} ${text}: ${TIME_HELP}`);
    else value[key] = time;
  }
  return errors.length === 0 ? { ok: true, value } : { ok: false, errors };
}

// The analysis hands the runner the metric's own provider object, which names the metric.
function judgeWiring(spec: AnalysisTemplateSpec, provider: MetricProvider, clock: Clock) {
  const names = new Map<JudgeProvider, string>();
  for (const m of spec.metrics) if ('judge' in m.provider) names.set(m.provider.judge, m.name);
  const judgements: JudgeRecord[] = [];
  const judge = createJudgeRunner({
    provider,
    now: () => clock.now(),
    onJudgement: (judgement) => {
      const metric = names.get(judgement.provider) ?? '?';
      const name = judgement.comparison === undefined ? metric : `${metric}/${judgement.comparison}`;
      judgements.push({ metric: name, judgement });
    },
  });
  return { judge, judgements };
}

function webMetricsIn(spec: AnalysisTemplateSpec): string[] {
  return spec.metrics.filter((metric) => 'web' in metric.provider).map((metric) => metric.name);
}

async function prepare(
  options: AnalyzeOptions,
  deps: AnalyzeDeps,
): Promise<{ ok: true; value: Prepared } | { ok: false; errors: string[] }> {
  if (options.template === undefined) return { ok: false, errors: ['--template <file|name> is required'] };
  const mode = modeOf(options, deps.clock.now());
  if (!mode.ok) return mode;
  const evidence = evidenceTimes(options, deps.clock.now());
  if (!evidence.ok) return evidence;
  const pairs = parseArgs(options.arg);
  if (!pairs.ok) return pairs;
  const loaded = loadTemplate(options.template, options.file);
  if (!loaded.ok) return loaded;
  const replayed = mode.mode.kind === 'backtest' ? webMetricsIn(loaded.value.spec) : [];
  if (replayed.length > 0) {
    return {
      ok: false,
      errors: replayed.map(
        (name) =>
          `${loaded.value.file}: metric "${name}" uses provider.web, which answers only now: it cannot be replayed over past data (--from/--to); use --once or a live run`,
      ),
    };
  }
  const tokenFile = options.bearerTokenFile;
  const secrets = cliSecretReader(tokenFile);
  let spec = overrideConnections(loaded.value.spec, options.prometheus, tokenFile !== undefined);
  if (mode.mode.kind === 'once') spec = oneShot(spec);
  const resolved = await resolveArgs({ templates: [spec], supplied: pairs.value.args, secrets });
  if (!resolved.ok) return { ok: false, errors: [`${loaded.value.file}: ${resolved.error}`] };
  const args: ResolvedArgs = {
    values: { ...resolved.args.values, ...pairs.value.builtins },
    secrets: resolved.args.secrets,
  };
  const provider = deps.provider ?? createPrometheusProvider({ secrets });
  const wiring = judgeWiring(spec, provider, deps.clock);
  const web = deps.web ?? createWebRunner({ secrets });
  return {
    ok: true,
    value: { spec, args, mode: mode.mode, provider, web, ...wiring, evidence: evidence.value },
  };
}

async function execute(
  prepared: Prepared,
  options: AnalyzeOptions,
  ctx: CliContext,
  deps: AnalyzeDeps,
): Promise<AnalysisRunStatus> {
  const { spec, args, mode, provider, judge, web, judgements, evidence } = prepared;
  if (mode.kind === 'backtest') {
    return runBacktest({
      templates: [spec],
      args,
      provider,
      judge,
      ...evidence,
      from: mode.from,
      to: mode.to,
      historyLimit: Number.MAX_SAFE_INTEGER,
      ...(mode.stepMs === undefined ? {} : { stepMs: mode.stepMs }),
    });
  }
  // In JSON mode stdout carries only the final document; progress goes to stderr.
  const progress = (line: string): void => {
    if (options.output === 'json') ctx.err(line);
    else ctx.out(line);
  };
  const onMeasurement: MeasurementListener = ({ metric, outcome, run }) => {
    progress(
      progressLine(
        metric,
        outcome,
        run.metrics.find((m) => m.name === metric.name),
      ),
    );
    if (!('judge' in metric.provider)) return;
    const last = judgements.findLast((j) => j.metric === metric.name);
    const stats = last === undefined ? undefined : judgeProgressLine(last);
    if (stats !== undefined) progress(stats);
  };
  return runLive({
    templates: [spec],
    args,
    provider,
    judge,
    web,
    onMeasurement,
    clock: deps.clock,
    signal: ctx.signal,
    ...evidence,
  });
}

function report(run: AnalysisRunStatus, prepared: Prepared, options: AnalyzeOptions, ctx: CliContext): void {
  const code = exitCodeFor(run.phase);
  const { mode } = prepared;
  if (options.output === 'json') {
    const window =
      mode.kind === 'backtest'
        ? { from: new Date(mode.from).toISOString(), to: new Date(mode.to).toISOString() }
        : {};
    const judge = prepared.judgements.length === 0 ? {} : { judgements: judgeJson(prepared.judgements) };
    const document = { mode: mode.kind, ...window, phase: run.phase, exitCode: code, run, ...judge };
    ctx.out(`${JSON.stringify(document, null, 2)}\n`);
  } else if (mode.kind === 'backtest') {
    ctx.out(backtestReport(run, mode.from, mode.to) + judgeTable(prepared.judgements));
  } else {
    ctx.out(`\n${summaryTable(run)}${judgeTable(prepared.judgements)}`);
  }
  ctx.exit(code);
}

/** `serin analyze`: runs an AnalysisTemplate live, once, or as a backtest over past data. */
export function registerAnalyze(
  program: Command,
  ctx: CliContext,
  deps: AnalyzeDeps = { clock: systemClock },
): void {
  const command = program.command('analyze');
  // Exit codes 1-3 are verdicts here, so commander's own usage errors exit 4 like the verb's.
  usageExitCode(command, EXIT.invalidInput);
  command
    .description(
      'Run an AnalysisTemplate against Prometheus: live (honouring interval and count), --once, or as a backtest ' +
        'over a past time range (--from/--to), printing each measurement and the verdict.',
    )
    .option('-t, --template <file|name>', 'template file, or the name of a template in the --file paths')
    .option('-f, --file <path>', 'YAML file or directory holding templates (repeatable)', collect, [])
    .option(
      '-a, --arg <key=value>',
      'template argument; canary.<name>=value sets a built-in (repeatable)',
      collect,
      [],
    )
    .option('--prometheus <url>', "override every metric's Prometheus address")
    .option('--bearer-token-file <file>', 'send the token in this file as a bearer token')
    .option('--once', 'take one measurement per metric, now')
    .option('--from <time>', 'backtest start: now-1h, -30m, an RFC 3339 time or Unix seconds')
    .option('--to <time>', 'backtest end (default now)')
    .addOption(new Option('--step <duration>', 'backtest: interval for metrics that define none'))
    .option(
      '--traffic-since <time>',
      "when the canary started receiving traffic: a pass before its queries' window plus two scrape intervals is deferred, as the controller does",
    )
    .option(
      '--previous-traffic-until <time>',
      "when an earlier revision's canary traffic ended: any verdict but an Error before its queries' window plus two scrape intervals is deferred, as the controller does",
    )
    .addOption(outputOption(['table', 'json']))
    .addHelpText(
      'after',
      '\nExit codes:\n  0  Successful\n  1  Failed\n  2  Inconclusive\n  3  Error\n  4  usage or invalid template (with the lint messages)',
    )
    .action(async (options: AnalyzeOptions) => {
      const prepared = await prepare(options, deps);
      if (!prepared.ok) {
        for (const error of prepared.errors) ctx.err(`serin analyze: ${error}\n`);
        ctx.exit(EXIT.invalidInput);
        return;
      }
      const run = await execute(prepared.value, options, ctx, deps);
      report(run, prepared.value, options, ctx);
    });
}
