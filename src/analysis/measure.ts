import type {
  JudgeProvider,
  MeasurementPhase,
  Metric,
  MinTraffic,
  PrometheusProvider,
  WebProvider,
} from '../api/index.ts';
import type { MetricProvider, QueryOutcome } from '../ports/index.ts';
import { durationToMs } from '../api/index.ts';
import { evaluateCondition } from './conditions.ts';
import { evidenceSpanMs } from './evidence.ts';
import type { MeasurementOutcome } from './run.ts';
import { renderTemplate } from './templating.ts';
import { formatNumber, formatValue } from './values.ts';
import { renderWebRequest, type WebRunner } from './web-request.ts';

/**
 * One measurement of one metric: render the query, run the low-traffic guard, query, apply the
 * noData policy, judge the value with the CEL conditions. Never throws; every failure is an
 * Error measurement with a message (secret argument values redacted).
 */

/** Argument values keyed by placeholder (`args.x`, `canary.name`), and which of them are secret. */
export interface ResolvedArgs {
  readonly values: Readonly<Record<string, string>>;
  /** Values read from Secrets; removed from every message. */
  readonly secrets: readonly string[];
}

/**
 * The verdict of a judge metric with `comparisons`: their score decides the phase through the
 * provider's `scoring` thresholds, not a condition. `detail` says which comparisons passed.
 */
export interface ScoredOutcome {
  readonly kind: 'scored';
  readonly phase: 'Successful' | 'Inconclusive' | 'Failed';
  /** The score, 0-100. */
  readonly value: number;
  readonly detail: string;
}

/**
 * Runs a judge metric: `baselineQuery` and `canaryQuery` give their one-metric score as the
 * measurement's `result` (judged by the conditions); `comparisons`, even just one, give a
 * `ScoredOutcome`.
 */
export type JudgeRunner = (request: {
  readonly provider: JudgeProvider;
  readonly args: ResolvedArgs;
  readonly namespace?: string;
  readonly at?: number;
}) => Promise<QueryOutcome | ScoredOutcome>;

/** What `measure` needs besides the metric. */
export interface MeasureContext {
  readonly provider: MetricProvider;
  readonly args: ResolvedArgs;
  /** The measurement's start time, epoch ms. */
  readonly now: number;
  /** Backtests: evaluate the queries at this time instead of the server's now. */
  readonly at?: number;
  /** Namespace whose Secrets the connection may read. */
  readonly namespace?: string;
  /** Reads the finish time; defaults to `now` (backtests, tests). */
  readonly finishedAt?: () => number;
  readonly judge?: JudgeRunner;
  /** Sends `web` metrics' requests; without it, a web metric's measurement is an Error. */
  readonly web?: WebRunner;
  /**
   * Since when the canary has had traffic (epoch ms). With it, the evidence rule applies: a
   * measurement that would pass before the window is covered is deferred (see evidence.ts).
   */
  readonly trafficSince?: number;
  /**
   * When the canary traffic of an earlier revision last ended (epoch ms). Every revision is one
   * series, so a measurement whose window may still read that traffic is deferred, whatever its
   * verdict but Error (see evidence.ts).
   */
  readonly previousTrafficUntil?: number;
  /** Aborts the Prometheus queries not yet answered (see `QueryTarget.signal`). */
  readonly signal?: AbortSignal;
}

type Verdict = { phase: MeasurementPhase; value?: string; message?: string };

/** Takes one measurement of `metric`. */
export async function measure(metric: Metric, context: MeasureContext): Promise<MeasurementOutcome> {
  const queries: string[] = [];
  const verdict = await measureVerdict(metric, context, queries);
  const deferral = deferralOf(metric, verdict, queries, context);
  const text = deferral?.message ?? verdict.message;
  const message = text === undefined ? undefined : redactAll(text, context.args.secrets);
  return {
    phase: verdict.phase,
    ...(verdict.value === undefined ? {} : { value: verdict.value }),
    ...(message === undefined ? {} : { message }),
    ...(deferral === undefined ? {} : { deferredUntil: deferral.until }),
    startedAt: context.now,
    finishedAt: context.finishedAt?.() ?? context.now,
  };
}

type Deferral = { until: number; message: string };

/**
 * The evidence rule (evidence.ts), both clauses: a measurement whose window may still read an
 * earlier revision's traffic is not a verdict yet, whatever it says; nor is a pass (or an
 * Inconclusive) before the canary's own traffic covers the window plus two scrapes. When both
 * apply, the later time wins.
 */
function deferralOf(
  metric: Metric,
  verdict: Verdict,
  queries: readonly string[],
  context: MeasureContext,
): Deferral | undefined {
  const span = evidenceSpanMs({ metric, queries });
  if (span === undefined) return undefined;
  const clauses = [
    earlierTrafficDeferral(metric, verdict, span, context),
    newTrafficDeferral(metric, verdict, span, context),
  ].filter((d): d is Deferral => d !== undefined);
  return clauses.reduce<Deferral | undefined>(
    (a, b) => (a === undefined || b.until > a.until ? b : a),
    undefined,
  );
}

/**
 * The canary's own traffic is younger than the window plus two scrapes: a pass or an Inconclusive
 * may have missed its errors. Failed and Error count at once, so this clause never slows a rollback.
 */
function newTrafficDeferral(
  metric: Metric,
  verdict: Verdict,
  span: number,
  context: MeasureContext,
): Deferral | undefined {
  if (context.trafficSince === undefined) return undefined;
  if (verdict.phase !== 'Successful' && verdict.phase !== 'Inconclusive') return undefined;
  const until = context.trafficSince + span;
  if (context.now >= until) return undefined;
  return {
    until,
    message:
      `deferred: measured ${measuredText(verdict)}, but the canary has had traffic only since ` +
      `${new Date(context.trafficSince).toISOString()}; its errors show in this query from ` +
      `${new Date(until).toISOString()} (${spanText(metric, span)})`,
  };
}

/**
 * An earlier revision's canary traffic ended less than the window plus two scrapes before the
 * query's evaluation time: the series (one per workload, shared by every revision) may still hold
 * its requests, so the verdict, Failed as much as Successful, may be the earlier revision's.
 *
 * Error is not deferred: it says the query or the provider failed (unreachable, timed out, a
 * template that does not render), not what the data showed, so waiting would not make it another
 * revision's; and errors abort only after `consecutiveErrorLimit` of them, retried every 10 s.
 */
function earlierTrafficDeferral(
  metric: Metric,
  verdict: Verdict,
  span: number,
  context: MeasureContext,
): Deferral | undefined {
  if (context.previousTrafficUntil === undefined || verdict.phase === 'Error') return undefined;
  const until = context.previousTrafficUntil + span;
  // The query runs at `at` (a backtest) or at the wall clock, which is never before `now`.
  if ((context.at ?? context.now) >= until) return undefined;
  return {
    until,
    message:
      `deferred: measured ${measuredText(verdict)}, but this query reads traffic of the earlier ` +
      `revision until ${new Date(context.previousTrafficUntil).toISOString()}; it reads only this ` +
      `revision's from ${new Date(until).toISOString()} (${spanText(metric, span)})`,
  };
}

function measuredText(verdict: Verdict): string {
  return verdict.value === undefined ? verdict.phase : `${verdict.value} (${verdict.phase})`;
}

function spanText(metric: Metric, span: number): string {
  const scrape = 'prometheus' in metric.provider ? metric.provider.prometheus.scrapeInterval : '';
  return `window ${formatSeconds(span - 2 * durationToMs(scrape))} + 2 scrape intervals of ${scrape}`;
}

function formatSeconds(ms: number): string {
  return `${formatNumber(ms / 1000)}s`;
}

/**
 * Judges one measurement by the metric's own provider; the rendered Prometheus queries it ran are
 * pushed onto `queries`. A provider serin does not know is an Error, never another provider.
 */
async function measureVerdict(metric: Metric, context: MeasureContext, queries: string[]): Promise<Verdict> {
  const provider = metric.provider;
  if ('prometheus' in provider) return measurePrometheus(metric, provider.prometheus, context, queries);
  if ('judge' in provider) return measureJudge(metric, provider.judge, context);
  if ('web' in provider) return measureWeb(metric, provider.web, context);
  // Only a spec that skipped validation gets here.
  const keys = Object.keys(provider).join(', ');
  return {
    phase: 'Error',
    message: `unknown provider "${keys}": set exactly one of prometheus, judge or web`,
  };
}

async function measureJudge(metric: Metric, judge: JudgeProvider, context: MeasureContext): Promise<Verdict> {
  if (context.judge === undefined)
    return { phase: 'Error', message: 'judge metrics need the judge, which is not available here' };
  const outcome = await context.judge({
    provider: judge,
    args: context.args,
    ...(context.namespace === undefined ? {} : { namespace: context.namespace }),
    ...(context.at === undefined ? {} : { at: context.at }),
  });
  if (outcome.kind === 'scored')
    return { phase: outcome.phase, value: formatValue(outcome.value), message: outcome.detail };
  return judgeOutcome(withJudgeDefault(metric), outcome, context.args.values);
}

async function measurePrometheus(
  metric: Metric,
  prometheus: PrometheusProvider,
  context: MeasureContext,
  queries: string[],
): Promise<Verdict> {
  const query = renderTemplate(prometheus.query, context.args.values);
  if (query.ok) queries.push(query.value);
  if (metric.minTraffic) {
    const guard = await trafficGuard(metric.minTraffic, prometheus, context, queries);
    if (guard !== undefined) return guard;
  }
  if (!query.ok) return { phase: 'Error', message: `query: ${query.error}` };
  const outcome = await context.provider.instantQuery(queryRequest(prometheus, query.value, context));
  return judgeOutcome(metric, outcome, context.args.values);
}

/** A web metric: render the request (refusing injected structure), send it, judge its value. */
async function measureWeb(metric: Metric, web: WebProvider, context: MeasureContext): Promise<Verdict> {
  if (context.web === undefined)
    return { phase: 'Error', message: 'web metrics need the web provider, which is not available here' };
  const rendered = renderWebRequest(web, context.args.values);
  if (!rendered.ok) return { phase: 'Error', message: `provider.web.${rendered.field}: ${rendered.error}` };
  const namespace = context.namespace === undefined ? {} : { namespace: context.namespace };
  const outcome = await context.web({ ...rendered.request, ...namespace });
  return judgeOutcome(metric, outcome, context.args.values);
}

/**
 * The judge's result is its score (100 for Pass, 0 for High or Low): a judge metric without a
 * condition succeeds on Pass and fails otherwise, rather than being Inconclusive forever.
 */
export const JUDGE_DEFAULT_CONDITION = 'result == 100';

function withJudgeDefault(metric: Metric): Metric {
  if (metric.successCondition !== undefined || metric.failureCondition !== undefined) return metric;
  return { ...metric, successCondition: JUDGE_DEFAULT_CONDITION };
}

function queryRequest(prometheus: PrometheusProvider, query: string, context: MeasureContext) {
  return {
    connection: prometheus,
    query,
    ...(context.namespace === undefined ? {} : { namespace: context.namespace }),
    ...(context.at === undefined ? {} : { time: context.at }),
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  };
}

/** Inconclusive below the minimum, an Error when the guard query fails, undefined to proceed. */
async function trafficGuard(
  guard: MinTraffic,
  prometheus: PrometheusProvider,
  context: MeasureContext,
  queries: string[],
): Promise<Verdict | undefined> {
  const query = renderTemplate(guard.query, context.args.values);
  if (!query.ok) return { phase: 'Error', message: `minTraffic query: ${query.error}` };
  queries.push(query.value);
  const outcome = await context.provider.instantQuery(queryRequest(prometheus, query.value, context));
  switch (outcome.kind) {
    case 'error':
      return { phase: 'Error', message: `minTraffic query failed: ${outcome.message}` };
    case 'noData':
      return { phase: 'Inconclusive', message: `insufficient traffic: no data < ${formatNumber(guard.min)}` };
    case 'value': {
      // Several series (one per pod, say) add up to the traffic the canary received.
      const traffic = Array.isArray(outcome.value)
        ? outcome.value.filter((v) => !Number.isNaN(v)).reduce((a, b) => a + b, 0)
        : outcome.value;
      if (traffic < guard.min) {
        return {
          phase: 'Inconclusive',
          value: formatValue(outcome.value),
          message: `insufficient traffic: ${formatNumber(traffic)} < ${formatNumber(guard.min)}`,
        };
      }
      return undefined;
    }
  }
}

function judgeOutcome(
  metric: Metric,
  outcome: QueryOutcome,
  values: Readonly<Record<string, string>>,
): Verdict {
  switch (outcome.kind) {
    case 'error':
      return { phase: 'Error', message: outcome.message };
    case 'noData':
      return { phase: metric.noData, message: `no data: ${outcome.reason}` };
    case 'value': {
      const verdict = infiniteNeverPasses(
        metric,
        outcome.value,
        applyConditions(metric, outcome.value, values),
      );
      const message = [verdict.message, outcome.detail].filter((part) => part !== undefined).join('; ');
      return {
        value: formatValue(outcome.value),
        phase: verdict.phase,
        ...(message === '' ? {} : { message }),
      };
    }
  }
}

/**
 * An infinite result (a division by zero, a quantile beyond the last bucket) is no evidence of
 * health: the conditions may fail it, but one they would pass takes the metric's noData phase.
 */
function infiniteNeverPasses(metric: Metric, result: number | number[], verdict: Verdict): Verdict {
  if (verdict.phase !== 'Successful') return verdict;
  const infinite = (Array.isArray(result) ? result : [result]).find((v) => v === Infinity || v === -Infinity);
  if (infinite === undefined) return verdict;
  return {
    phase: metric.noData,
    message: `no data: the result is ${formatNumber(infinite)}, which is never a pass (noData: ${metric.noData})`,
  };
}

type Rendered = { ok: true; success?: string; failure?: string } | { ok: false; error: string };

function renderConditions(
  metric: Pick<Metric, 'successCondition' | 'failureCondition'>,
  values: Readonly<Record<string, string>>,
): Rendered {
  const rendered: { success?: string; failure?: string } = {};
  for (const [key, field] of [
    ['success', 'successCondition'],
    ['failure', 'failureCondition'],
  ] as const) {
    const condition = metric[field];
    if (condition === undefined) continue;
    const out = renderTemplate(condition, values);
    if (!out.ok) return { ok: false, error: `${field}: ${out.error}` };
    rendered[key] = out.value;
  }
  return { ok: true, ...rendered };
}

/**
 * The condition rules: failure is checked first; only success given → false fails; only failure
 * given → false succeeds; both given and neither matches → Inconclusive; neither → Inconclusive.
 * An evaluation error is an Error, never a success.
 */
export function applyConditions(
  metric: Pick<Metric, 'successCondition' | 'failureCondition'>,
  result: number | number[],
  values: Readonly<Record<string, string>> = {},
): Verdict {
  const rendered = renderConditions(metric, values);
  if (!rendered.ok) return { phase: 'Error', message: rendered.error };
  const { success, failure } = rendered;
  if (success === undefined && failure === undefined) {
    return { phase: 'Inconclusive', message: 'no successCondition or failureCondition' };
  }
  if (failure !== undefined) {
    const failed = evaluateCondition(failure, result);
    if (!failed.ok) return { phase: 'Error', message: `failureCondition: ${failed.error}` };
    if (failed.value) return { phase: 'Failed', message: `failureCondition met: ${failure}` };
    if (success === undefined) return { phase: 'Successful' };
  }
  if (success === undefined) return { phase: 'Inconclusive' };
  const succeeded = evaluateCondition(success, result);
  if (!succeeded.ok) return { phase: 'Error', message: `successCondition: ${succeeded.error}` };
  if (succeeded.value) return { phase: 'Successful' };
  return failure === undefined
    ? { phase: 'Failed', message: `successCondition not met: ${success}` }
    : { phase: 'Inconclusive', message: 'neither successCondition nor failureCondition met' };
}

function redactAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('*****');
  return out;
}
