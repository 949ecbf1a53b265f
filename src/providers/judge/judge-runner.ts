import {
  renderTemplate,
  type JudgeRunner,
  type ResolvedArgs,
  type ScoredOutcome,
} from '../../analysis/index.ts';
import {
  durationToMs,
  judgeComparisons,
  judgeScoring,
  type JudgeProvider,
  type JudgeScoring,
  type ResolvedComparison,
} from '../../api/index.ts';
import {
  decideScore,
  JudgeError,
  judgeMetric,
  type Classification,
  type JudgeOptions,
  type JudgeResult,
  type PerSide,
  type ScoreDecision,
  type ScoreInput,
} from '../../judge/index.ts';
import type {
  MetricProvider,
  QueryError,
  QueryOutcome,
  RangeOutcome,
  RangeSeries,
} from '../../ports/index.ts';
import { summarizeJudgement } from './summary.ts';

/** What the judge runner needs. */
export interface JudgeRunnerOptions {
  /** Where the two range queries go. */
  readonly provider: MetricProvider;
  /** Epoch ms, for measurements that carry no `at` (the controller's live ones). Default `Date.now`. */
  readonly now?: () => number;
  /** Told about every judge measurement, e.g. so `serin analyze` can print the statistics. */
  readonly onJudgement?: (judgement: Judgement) => void;
}

/** One judge measurement as it was taken: the samples' window, the queries and the verdict. */
export interface Judgement {
  /** The provider spec of the metric (the same object the analysis passed in). */
  readonly provider: JudgeProvider;
  /** The comparison's name when the metric scores several `comparisons`. */
  readonly comparison?: string;
  /** End of the window, epoch ms. */
  readonly at: number;
  /** Start of the window, epoch ms: `at - window`. */
  readonly start: number;
  readonly stepMs: number;
  /** The rendered queries, secret argument values replaced by `*****`. */
  readonly queries: PerSide<string>;
  /** Series each side returned (their points were pooled), when both queries answered. */
  readonly series?: PerSide<number>;
  /** The judge's verdict and statistics, when both queries answered with data. */
  readonly result?: JudgeResult;
  /** What the measurement received: `result` = 100 for Pass, 0 for High or Low; NoData; Error. */
  readonly outcome: JudgeOutcome;
}

/**
 * A `QueryOutcome` with the judge's statistics as one line of text in `detail` (value outcomes).
 * The analysis engine shows `reason` / `message` of NoData and Error today; `detail` is there for
 * it to show the statistics of judged measurements too.
 */
export type JudgeOutcome = QueryOutcome & { readonly detail?: string };

/** `result` of a Pass measurement: the one-metric score on Kayenta's 0-100 scale. */
export const PASS_SCORE = 100;

/**
 * Builds the `JudgeRunner` the analysis engine calls for `judge` metrics. Each comparison renders
 * `baselineQuery` and `canaryQuery`, runs both as range queries over `[at - window, at]` every
 * `step`, pools each side's points into one sample (every point of every series, see
 * docs/judge.md), and judges canary against baseline with `judgeMetric`.
 *
 * A metric with `baselineQuery` and `canaryQuery` gets a value outcome, CEL's `result`: 100 for
 * Pass and 0 for High or Low. NoData (an empty range, or fewer than `minSamples` points) is a
 * `noData` outcome and Error a query error, so neither can ever pass: the metric's `noData` policy
 * and error limits apply.
 *
 * A metric with `comparisons` runs them all at once and scores them (`decideScore`): the outcome is
 * the score and its verdict. Comparisons that err or lack data cannot decide: unless the verdict is
 * the same whether they pass or not, the measurement is an Error (when an erring comparison could
 * decide it) or NoData.
 */
export function createJudgeRunner(options: JudgeRunnerOptions): JudgeRunner {
  const now = options.now ?? Date.now;
  return async (request) => {
    const at = request.at ?? now();
    const compared = await Promise.all(
      judgeComparisons(request.provider).map(async (comparison) => ({
        comparison,
        judgement: await judgeOnce(options.provider, comparison, { ...request, at }),
      })),
    );
    for (const { judgement } of compared) options.onJudgement?.(judgement);
    const scoring = judgeScoring(request.provider);
    if (scoring === undefined)
      return compared[0]?.judgement.outcome ?? invalid('set baselineQuery and canaryQuery, or comparisons');
    return scoredOutcome(compared, scoring);
  };
}

interface Request {
  readonly provider: JudgeProvider;
  readonly args: ResolvedArgs;
  readonly namespace?: string;
  readonly at: number;
}

async function judgeOnce(
  metrics: MetricProvider,
  comparison: ResolvedComparison,
  request: Request,
): Promise<Judgement> {
  const { provider: spec, args, at } = request;
  const stepMs = durationToMs(spec.step);
  const start = at - durationToMs(spec.window);
  const rendered = {
    baseline: renderTemplate(comparison.baselineQuery, args.values),
    canary: renderTemplate(comparison.canaryQuery, args.values),
  };
  const queries = {
    baseline: rendered.baseline.ok ? redact(rendered.baseline.value, args.secrets) : comparison.baselineQuery,
    canary: rendered.canary.ok ? redact(rendered.canary.value, args.secrets) : comparison.canaryQuery,
  };
  const base = {
    provider: spec,
    ...(comparison.name === undefined ? {} : { comparison: comparison.name }),
    at,
    start,
    stepMs,
    queries,
  };
  if (!rendered.baseline.ok)
    return { ...base, outcome: invalid(`baselineQuery: ${rendered.baseline.error}`) };
  if (!rendered.canary.ok) return { ...base, outcome: invalid(`canaryQuery: ${rendered.canary.error}`) };
  if (!(stepMs > 0) || !(start < at)) {
    return { ...base, outcome: invalid(`window (${spec.window}) and step (${spec.step}) must be > 0`) };
  }
  const range = (query: string) =>
    metrics.rangeQuery({
      connection: spec.prometheus,
      query,
      start,
      end: at,
      stepMs,
      ...(request.namespace === undefined ? {} : { namespace: request.namespace }),
    });
  const [baseline, canary] = await Promise.all([
    range(rendered.baseline.value),
    range(rendered.canary.value),
  ]);
  const failed = sideProblem('baseline', baseline) ?? sideProblem('canary', canary);
  if (failed !== undefined) return { ...base, outcome: failed };
  const samples = { baseline: pooled(seriesOf(baseline)), canary: pooled(seriesOf(canary)) };
  const result = judgeMetric(samples.baseline, samples.canary, judgeOptions(comparison));
  const series = { baseline: seriesOf(baseline).length, canary: seriesOf(canary).length };
  return { ...base, series, result, outcome: outcomeOf(result, series) };
}

interface Compared {
  readonly comparison: ResolvedComparison;
  readonly judgement: Judgement;
}

const classificationOf = (judgement: Judgement): Classification =>
  judgement.result?.classification ?? (judgement.outcome.kind === 'error' ? 'Error' : 'NoData');

const nameOf = (comparison: ResolvedComparison): string => comparison.name ?? 'comparison';

/** One score for all comparisons of a measurement; see `createJudgeRunner`. */
function scoredOutcome(compared: readonly Compared[], scoring: JudgeScoring): JudgeOutcome | ScoredOutcome {
  const errors = compared.flatMap(({ comparison, judgement: { outcome } }) =>
    outcome.kind === 'error' ? [{ ...outcome, message: `${nameOf(comparison)}: ${outcome.message}` }] : [],
  );
  const inputs = compared.map(({ comparison, judgement }) => ({
    name: nameOf(comparison),
    weight: comparison.weight,
    critical: comparison.critical,
    result: { classification: classificationOf(judgement) },
  }));
  let decision: ScoreDecision;
  try {
    decision = decideScore(inputs, scoring);
  } catch (error) {
    // The schema rules out unusable thresholds and weights; a spec that skipped it is an Error.
    if (error instanceof JudgeError) return invalid(`scoring: ${error.message}`);
    throw error;
  }
  const thresholds = `pass ${scoring.pass}, marginal ${scoring.marginal}`;
  const detail = scoreDetail(compared);
  const [firstError] = errors;
  if (decision.verdict === undefined && firstError !== undefined && errorsCouldTip(inputs, scoring)) {
    // Errors are not failures: the measurement is retried, and the error limits apply.
    return { ...firstError, message: errors.map((e) => e.message).join('; ') };
  }
  if (decision.verdict === undefined) {
    const range = `${formatScore(decision.worst.score)} to ${formatScore(decision.best.score)}`;
    const missing = (kind: Classification) => inputs.filter((i) => i.result.classification === kind);
    const open = [
      listed(missing('NoData'), 'without data'),
      listed(missing('Error'), 'could not be measured'),
    ].filter((part) => part !== '');
    return {
      kind: 'noData',
      reason: `${open.join('; ')}: the score could be ${range} (${thresholds}); ${detail}`,
    };
  }
  return {
    kind: 'scored',
    phase: decision.verdict,
    value: decision.worst.score,
    detail: `score ${formatScore(decision.worst.score)} (${thresholds}): ${detail}`,
  };
}

const listed = (inputs: readonly ScoreInput[], what: string): string =>
  inputs.length === 0 ? '' : `${inputs.map((i) => i.name).join(', ')} ${what}`;

/**
 * Whether the failed comparisons could decide an open score: they could when the outcome (a
 * verdict, or none) differs between some of them passing and some not, the comparisons without
 * data left open either way. When they could not, the missing data is what keeps the verdict
 * open, and the measurement is NoData (Inconclusive) rather than an Error that counts toward the
 * error limits. At most 16 comparisons, so at most 2^16 combinations.
 */
function errorsCouldTip(inputs: readonly ScoreInput[], scoring: JudgeScoring): boolean {
  const failed = inputs.flatMap((input, index) => (input.result.classification === 'Error' ? [index] : []));
  const outcomes = new Set<string>();
  for (let mask = 0; mask < 2 ** failed.length; mask++) {
    const resolved = inputs.map((input, index) => {
      const bit = failed.indexOf(index);
      if (bit < 0) return input;
      const classification: Classification = (mask >> bit) & 1 ? 'Pass' : 'High';
      return { ...input, result: { classification } };
    });
    outcomes.add(decideScore(resolved, scoring).verdict ?? 'open');
    if (outcomes.size > 1) return true;
  }
  return false;
}

/** Every comparison's classification, then why each one that did not pass did not. */
function scoreDetail(compared: readonly Compared[]): string {
  const tally = compared
    .map(({ comparison, judgement }) => {
      const critical = comparison.critical ? ' (critical)' : '';
      return `${nameOf(comparison)} ${classificationOf(judgement)}${critical}`;
    })
    .join(', ');
  const reasons = compared
    .filter(({ judgement }) => classificationOf(judgement) !== 'Pass')
    .map(({ comparison, judgement }) => `${nameOf(comparison)}: ${detailOf(judgement)}`);
  return [tally, ...reasons].join('; ');
}

const formatScore = (score: number): string => String(Number(score.toFixed(1)));

function detailOf(judgement: Judgement): string {
  const { outcome } = judgement;
  if (outcome.kind === 'noData') return outcome.reason;
  if (outcome.kind === 'error') return outcome.message;
  return outcome.detail ?? '';
}

const seriesOf = (outcome: RangeOutcome): readonly RangeSeries[] =>
  outcome.kind === 'series' ? outcome.series : [];

// Every point of every series is one observation. Several series (one per pod, say) therefore
// weigh by how many points they have; write the query to return one series per side (sum by, or
// histogram_quantile over summed buckets) when pods should not count separately.
function pooled(series: readonly RangeSeries[]): number[] {
  return series.flatMap((s) => s.points.map((p) => p.value));
}

function sideProblem(side: 'baseline' | 'canary', outcome: RangeOutcome): JudgeOutcome | undefined {
  switch (outcome.kind) {
    case 'series':
      return outcome.series.every((s) => s.points.length === 0)
        ? { kind: 'noData', reason: `${side}: the range has no points` }
        : undefined;
    case 'noData':
      return { kind: 'noData', reason: `${side}: ${outcome.reason}` };
    case 'error':
      return { ...outcome, message: `${side}Query: ${outcome.message}` };
  }
}

function judgeOptions(spec: ResolvedComparison): JudgeOptions {
  return {
    direction: spec.direction,
    method: spec.method,
    confidence: spec.confidence,
    tolerance: spec.tolerance,
    allowedIncrease: spec.allowedIncrease,
    allowedDecrease: spec.allowedDecrease,
    minSamples: spec.minSamples,
    removeOutliers: spec.removeOutliers,
  };
}

function outcomeOf(result: JudgeResult, series: PerSide<number>): JudgeOutcome {
  const detail = summarizeJudgement(result, series);
  switch (result.classification) {
    case 'Pass':
      return { kind: 'value', value: PASS_SCORE, detail };
    case 'High':
    case 'Low':
      return { kind: 'value', value: 0, detail };
    case 'NoData':
      return { kind: 'noData', reason: detail };
    case 'Error':
      return invalid(detail);
  }
}

// The port has no error kind for a metric that cannot be judged as configured; such a template
// fails every measurement the same way, which is what an Error measurement says.
function invalid(message: string): QueryError {
  return { kind: 'error', errorKind: 'badResponse', message: `judge: ${message}` };
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('*****');
  return out;
}
