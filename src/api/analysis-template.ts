import { z } from 'zod';
import { API_VERSION, Duration, ObjectMeta, ObjectName, SecretKeyRef, exactlyOneOf } from './common.ts';
import { WebProvider } from './web-provider.ts';

/** An argument a template declares; callers supply `value` unless it has one or reads a Secret. */
export const TemplateArg = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, { message: 'must be an identifier' })
      .describe('Name used as {{args.<name>}} in queries and conditions, e.g. service for {{args.service}}.'),
    value: z
      .string()
      .optional()
      .describe("Default value; a Canary's analysis args override it. Absent: the Canary must supply one."),
    valueFrom: z
      .object({
        secretKeyRef: SecretKeyRef.describe('The Secret key whose value is substituted.'),
      })
      .optional()
      .describe('Read the value from a Secret instead (never shown in status or messages).'),
  })
  .describe('An argument the template declares.');
export type TemplateArg = z.infer<typeof TemplateArg>;

/**
 * Upper bounds of a template's lists and names, for the API server's estimate of the CEL rules'
 * cost (see CANARY_LIMITS). 16 comparisons keep a scored metric readable.
 */
export const TEMPLATE_LIMITS = {
  args: 64,
  metrics: 64,
  headers: 32,
  comparisons: 16,
  nameLength: 63,
} as const;

const Header = z
  .object({
    name: z.string().min(1).describe('HTTP header name, e.g. X-Scope-OrgID.'),
    value: z.string().describe('HTTP header value.'),
  })
  .describe('An HTTP header sent with every query.');

/** How serin reaches Prometheus. The bearer token is read from a Secret, never stored inline. */
export const PrometheusConnection = z.object({
  address: z.string().min(1).describe('Base URL of the Prometheus HTTP API, e.g. http://prometheus:9090'),
  timeout: Duration.default('30s').describe(
    'How long one query may take before it is an Error, as a duration (e.g. 10s). Default 30s.',
  ),
  headers: z
    .array(Header)
    .max(TEMPLATE_LIMITS.headers)
    .optional()
    .describe('HTTP headers sent with every query, at most 32. Default: none.'),
  bearerTokenSecretRef: SecretKeyRef.optional().describe(
    'A Secret key holding a bearer token sent as Authorization: Bearer. Default: no token.',
  ),
});
export type PrometheusConnection = z.infer<typeof PrometheusConnection>;

/** A PromQL query whose result feeds the metric's conditions. */
export const PrometheusProvider = PrometheusConnection.extend({
  query: z
    .string()
    .min(1)
    .describe(
      'PromQL instant query; its value is `result` in the conditions. Placeholders {{args.<name>}} and {{canary.*}} are replaced first. Example: sum(rate(istio_requests_total{destination_workload="{{canary.workload}}",response_code=~"5.."}[2m])) / sum(rate(istio_requests_total{destination_workload="{{canary.workload}}"}[2m])).',
    ),
  // The evidence rule (docs/analysis.md): a measurement may pass only once the canary's traffic
  // covers its queries' window plus two scrapes. Prometheus scrapes every 1m unless told otherwise.
  scrapeInterval: Duration.default('1m').describe(
    "How often this Prometheus scrapes the canary's pods, as a duration (e.g. 15s). A measurement can pass only once the canary has had traffic for its queries' window plus two scrape intervals. Default 1m (Prometheus' own default).",
  ),
});
export type PrometheusProvider = z.infer<typeof PrometheusProvider>;

/** The name of a metric, or of a judge comparison: shown in status, messages and statistics. */
const MetricName = z
  .string()
  .max(TEMPLATE_LIMITS.nameLength)
  .regex(/^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/, { message: 'must be lowercase letters, digits, "-" or "_"' });

/** A list of named items whose names the API server keeps unique (a list-type map keyed by name). */
const KEYED_BY_NAME = { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] };

/** What each judge option means; a comparison adds that the provider's value applies when unset. */
const JUDGE_TEXT = {
  direction: 'Which shift is bad: increase (e.g. latency, errors), decrease (e.g. throughput) or either.',
  method:
    "How the Mann-Whitney p-value is computed: auto (exact for small samples without ties, R's rule), exact or asymptotic (normal approximation).",
  confidence: 'Confidence level of the shift interval, between 0 and 1 exclusive, e.g. 0.98.',
  tolerance:
    'Shift tolerated, as a fraction of the baseline median (0.25 is 25%): the whole confidence interval must lie beyond it to be High or Low.',
  allowedIncrease: 'Effect-size gate: High also needs the canary/baseline mean ratio above this, e.g. 1.1.',
  allowedDecrease: 'Effect-size gate: Low also needs the canary/baseline mean ratio below this, e.g. 0.9.',
  minSamples: 'Fewest points per side (after cleaning) to judge; fewer is no data.',
  removeOutliers: "Drop points outside Tukey's fences (1.5 IQR) before judging.",
} as const;

/** How the judge decides, shared by the provider and (as overrides) by each comparison. */
const judgeOptions = {
  direction: z.enum(['increase', 'decrease', 'either']),
  method: z.enum(['auto', 'exact', 'asymptotic']),
  confidence: z.number().gt(0).lt(1),
  tolerance: z.number().min(0),
  allowedIncrease: z.number().min(0),
  allowedDecrease: z.number().min(0),
  minSamples: z.number().int().min(1),
  removeOutliers: z.boolean(),
};

/** Added to a comparison's judge option: the provider's value applies when it is unset. */
const INHERITED = " Default: the judge provider's value.";

/** One canary-vs-baseline comparison of a scored judge metric; unset options come from the provider. */
export const JudgeComparison = z
  .object({
    name: MetricName.describe(
      'Name of the comparison (lowercase letters, digits, - and _, at most 63), unique in the metric, e.g. p99-latency.',
    ),
    baselineQuery: z
      .string()
      .min(1)
      .describe(
        'PromQL range query for the baseline (the primary), e.g. histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{destination_workload="{{canary.primaryWorkload}}"}[1m]))).',
      ),
    canaryQuery: z
      .string()
      .min(1)
      .describe('PromQL range query for the canary, the same as baselineQuery with {{canary.workload}}.'),
    direction: judgeOptions.direction.optional().describe(JUDGE_TEXT.direction + INHERITED),
    method: judgeOptions.method.optional().describe(JUDGE_TEXT.method + INHERITED),
    confidence: judgeOptions.confidence.optional().describe(JUDGE_TEXT.confidence + INHERITED),
    tolerance: judgeOptions.tolerance.optional().describe(JUDGE_TEXT.tolerance + INHERITED),
    allowedIncrease: judgeOptions.allowedIncrease.optional().describe(JUDGE_TEXT.allowedIncrease + INHERITED),
    allowedDecrease: judgeOptions.allowedDecrease.optional().describe(JUDGE_TEXT.allowedDecrease + INHERITED),
    minSamples: judgeOptions.minSamples.optional().describe(JUDGE_TEXT.minSamples + INHERITED),
    removeOutliers: judgeOptions.removeOutliers.optional().describe(JUDGE_TEXT.removeOutliers + INHERITED),
    weight: z
      .number()
      .min(0)
      .default(1)
      .describe('Share of the score; Pass adds it, anything else does not. Default 1.'),
    critical: z.boolean().default(false).describe('When not Pass, the score is 0. Default false.'),
  })
  .describe('One canary-vs-baseline comparison of a scored judge metric.');
export type JudgeComparison = z.infer<typeof JudgeComparison>;

/** Maps the 0-100 score to the measurement's phase, Kayenta-style. */
export const JudgeScoring = z
  .object({
    // Above 0: a score of 0 (nothing passed, or nothing had data) must never be Successful.
    pass: z
      .number()
      .gt(0)
      .max(100)
      .default(95)
      .describe('Successful at or above this score (above 0, at most 100). Default 95.'),
    marginal: z
      .number()
      .min(0)
      .max(100)
      .default(75)
      .describe('Inconclusive at or above this score (0 to 100), Failed below. Default 75.'),
  })
  .describe('Maps the 0-100 score of the comparisons to the measurement phase.')
  .refine((scoring) => scoring.marginal <= scoring.pass, {
    path: ['marginal'],
    message: 'must not be above pass (marginal is 75 unless set)',
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '!has(self.marginal) || !has(self.pass) || self.marginal <= self.pass',
        message: 'marginal (75 unless set) must not be above pass',
      },
    ],
  });
export type JudgeScoring = z.infer<typeof JudgeScoring>;

// The same rules as checkJudgeShape, for the API server; it keeps the names unique itself.
const COMPARISON_RULES = [
  { rule: 'self.exists(c, c.weight > 0.0)', message: 'at least one comparison needs a weight above 0' },
];

const JUDGE_SHAPE_RULES = [
  {
    rule: 'has(self.comparisons) ? !has(self.baselineQuery) && !has(self.canaryQuery) : has(self.baselineQuery) && has(self.canaryQuery)',
    message: 'set baselineQuery and canaryQuery, or comparisons, not both',
  },
  { rule: '!has(self.scoring) || has(self.comparisons)', message: 'scoring needs comparisons' },
];

/**
 * Canary-vs-baseline comparison by the built-in statistical judge (see docs/judge.md): either one
 * comparison (`baselineQuery` and `canaryQuery`, judged by the metric's conditions over `result`,
 * 100 for Pass and 0 otherwise), or several `comparisons` scored together with `scoring`.
 */
export const JudgeProvider = z
  .object({
    prometheus: PrometheusConnection.describe('The Prometheus both range queries go to.'),
    baselineQuery: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PromQL range query for the baseline (the primary), with canaryQuery; not with comparisons. Example: sum(rate(istio_requests_total{destination_workload="{{canary.primaryWorkload}}",response_code=~"5.."}[1m])).',
      ),
    canaryQuery: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PromQL range query for the canary, with baselineQuery; usually the same with {{canary.workload}}.',
      ),
    comparisons: z
      .array(JudgeComparison)
      .min(1)
      .max(TEMPLATE_LIMITS.comparisons)
      .meta({ ...KEYED_BY_NAME, 'x-kubernetes-validations': COMPARISON_RULES })
      .optional()
      .describe(
        'Several comparisons (1 to 16, unique names) scored together by scoring instead of the conditions; instead of baselineQuery and canaryQuery.',
      ),
    scoring: JudgeScoring.optional().describe(
      'Score thresholds for comparisons. Default: pass 95, marginal 75.',
    ),
    window: Duration.default('10m').describe(
      'The range both queries cover, ending at the measurement, as a duration (e.g. 20m). Default 10m.',
    ),
    step: Duration.default('15s').describe(
      'Resolution of the range queries, one point per step, as a duration (e.g. 1m). Default 15s.',
    ),
    direction: judgeOptions.direction
      .default('increase')
      .describe(JUDGE_TEXT.direction + ' Default increase.'),
    method: judgeOptions.method.default('auto').describe(JUDGE_TEXT.method + ' Default auto.'),
    confidence: judgeOptions.confidence.default(0.98).describe(JUDGE_TEXT.confidence + ' Default 0.98.'),
    tolerance: judgeOptions.tolerance.default(0.25).describe(JUDGE_TEXT.tolerance + ' Default 0.25.'),
    allowedIncrease: judgeOptions.allowedIncrease
      .optional()
      .describe(JUDGE_TEXT.allowedIncrease + ' Default: no gate.'),
    allowedDecrease: judgeOptions.allowedDecrease
      .optional()
      .describe(JUDGE_TEXT.allowedDecrease + ' Default: no gate.'),
    minSamples: judgeOptions.minSamples.default(20).describe(JUDGE_TEXT.minSamples + ' Default 20.'),
    removeOutliers: judgeOptions.removeOutliers
      .default(false)
      .describe(JUDGE_TEXT.removeOutliers + ' Default false.'),
  })
  .superRefine(checkJudgeShape)
  .meta({ 'x-kubernetes-validations': JUDGE_SHAPE_RULES })
  .describe(
    'The built-in statistical judge (docs/judge.md): canary vs baseline over a window, with one pair of queries or several scored comparisons.',
  );
export type JudgeProvider = z.infer<typeof JudgeProvider>;

interface JudgeShape {
  readonly baselineQuery?: string | undefined;
  readonly canaryQuery?: string | undefined;
  readonly comparisons?: readonly JudgeComparison[] | undefined;
  readonly scoring?: JudgeScoring | undefined;
}

function checkJudgeShape(judge: JudgeShape, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => {
    ctx.addIssue({ code: 'custom', path, message });
  };
  if (judge.comparisons === undefined) {
    if (judge.baselineQuery === undefined) issue(['baselineQuery'], 'required unless comparisons is set');
    if (judge.canaryQuery === undefined) issue(['canaryQuery'], 'required unless comparisons is set');
    if (judge.scoring !== undefined)
      issue(['scoring'], "needs comparisons: a single comparison is judged by the metric's conditions");
    return;
  }
  for (const key of ['baselineQuery', 'canaryQuery'] as const) {
    if (judge[key] !== undefined)
      issue([key], 'not allowed with comparisons: give each comparison its queries');
  }
  const seen = new Set<string>();
  judge.comparisons.forEach((comparison, index) => {
    if (seen.has(comparison.name))
      issue(['comparisons', index, 'name'], `duplicate comparison name "${comparison.name}"`);
    seen.add(comparison.name);
  });
  if (!judge.comparisons.some((comparison) => comparison.weight > 0))
    issue(['comparisons'], 'at least one comparison needs a weight above 0');
}

/** The options one comparison is judged with: its own, else the provider's. */
export interface ResolvedComparison {
  readonly name: string | undefined;
  readonly baselineQuery: string;
  readonly canaryQuery: string;
  readonly direction: JudgeProvider['direction'];
  readonly method: JudgeProvider['method'];
  readonly confidence: number;
  readonly tolerance: number;
  readonly allowedIncrease: number | undefined;
  readonly allowedDecrease: number | undefined;
  readonly minSamples: number;
  readonly removeOutliers: boolean;
  readonly weight: number;
  readonly critical: boolean;
}

/**
 * The thresholds a judge metric with `comparisons` is scored with (95 and 75 unless set); undefined
 * for a single comparison, which the metric's conditions judge.
 */
export function judgeScoring(judge: JudgeProvider): JudgeScoring | undefined {
  if (judge.comparisons === undefined) return undefined;
  return judge.scoring ?? JudgeScoring.parse({});
}

/**
 * The comparisons a judge metric runs: its `comparisons` with the provider's options filled in, or
 * the one unnamed comparison of `baselineQuery` and `canaryQuery` (none if either is missing).
 */
export function judgeComparisons(judge: JudgeProvider): ResolvedComparison[] {
  const inherited = (comparison: Partial<JudgeComparison>) => ({
    direction: comparison.direction ?? judge.direction,
    method: comparison.method ?? judge.method,
    confidence: comparison.confidence ?? judge.confidence,
    tolerance: comparison.tolerance ?? judge.tolerance,
    allowedIncrease: comparison.allowedIncrease ?? judge.allowedIncrease,
    allowedDecrease: comparison.allowedDecrease ?? judge.allowedDecrease,
    minSamples: comparison.minSamples ?? judge.minSamples,
    removeOutliers: comparison.removeOutliers ?? judge.removeOutliers,
  });
  if (judge.comparisons !== undefined) {
    return judge.comparisons.map((comparison) => ({ ...comparison, ...inherited(comparison) }));
  }
  const { baselineQuery, canaryQuery } = judge;
  // Only a spec that skipped validation has neither; it compares nothing.
  if (baselineQuery === undefined || canaryQuery === undefined) return [];
  return [
    {
      name: undefined,
      baselineQuery,
      canaryQuery,
      ...inherited({}),
      weight: 1,
      critical: false,
    },
  ];
}

/** Exactly one provider per metric. */
export const MetricProviderSpec = exactlyOneOf([
  z.strictObject({
    prometheus: PrometheusProvider.describe('One PromQL query per measurement; its value is `result`.'),
  }),
  z.strictObject({ judge: JudgeProvider }),
  z.strictObject({
    web: WebProvider.describe(
      'One HTTP request per measurement; the number at jsonPath in its JSON answer is `result`.',
    ),
  }),
]).describe('Where measurements come from: exactly one of prometheus, judge or web.');
export type MetricProviderSpec = z.infer<typeof MetricProviderSpec>;

/** The low-traffic guard: below `min`, a measurement is Inconclusive, never judged. */
export const MinTraffic = z
  .object({
    query: z
      .string()
      .min(1)
      .describe(
        'PromQL query counting the requests the canary received, e.g. sum(increase(istio_requests_total{destination_workload="{{canary.workload}}"}[2m])).',
      ),
    min: z
      .number()
      .min(0)
      .describe(
        "Fewest requests (the query's value) to judge a measurement; below it, Inconclusive. E.g. 100.",
      ),
  })
  .describe(
    'Low-traffic guard (prometheus metrics only): below min, a measurement is Inconclusive, never judged.',
  );
export type MinTraffic = z.infer<typeof MinTraffic>;

/** One metric of an analysis: how to measure it and how to judge each measurement. */
export const Metric = z
  .object({
    name: MetricName.describe(
      'Name of the metric (lowercase letters, digits, - and _, at most 63), unique in the template, e.g. error-rate.',
    ),
    interval: Duration.optional().describe(
      'Time between measurements, as a duration (e.g. 1m). With count: count measurements; without count (or count 0): until the run stops. Default: measure once.',
    ),
    count: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'How many measurements to take; above 1 needs interval. Default: 1 without interval, unlimited with.',
      ),
    initialDelay: Duration.optional().describe(
      'Wait before the first measurement, as a duration (e.g. 30s). Default 0.',
    ),
    successCondition: z
      .string()
      .min(1)
      .optional()
      .describe(
        'CEL expression over `result` (a double, or a list of doubles for several series); true means Successful. Example: result < 0.01, or isNaN(result) || result <= 500.',
      ),
    failureCondition: z
      .string()
      .min(1)
      .optional()
      .describe(
        'CEL expression over `result`; true means Failed and wins over successCondition. Example: result > 0.05, or result.exists(r, r > 0.05) for several series.',
      ),
    failureLimit: z
      .number()
      .int()
      .min(-1)
      .default(0)
      .describe(
        'The metric fails when Failed measurements exceed this number; -1 never fails on the count. Default 0.',
      ),
    consecutiveFailureLimit: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'The metric fails after this many Failed measurements in a row (a success or inconclusive resets the streak); when set, failureLimit applies only if set above 0. Default: unset.',
      ),
    inconclusiveLimit: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('The metric is Inconclusive when Inconclusive measurements exceed this number. Default 0.'),
    consecutiveErrorLimit: z
      .number()
      .int()
      .min(0)
      .default(4)
      .describe(
        'The metric is Error when errors in a row exceed this number (the 5th by default). Default 4.',
      ),
    consecutiveSuccessLimit: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'The metric succeeds after this many Successful measurements in a row; if count runs out first, Inconclusive. Default: unset.',
      ),
    noData: z
      .enum(['Inconclusive', 'Failed'])
      .default('Inconclusive')
      .describe(
        'Phase of a measurement with no data (empty result, NaN): Inconclusive or Failed, never Successful. Default Inconclusive.',
      ),
    minTraffic: MinTraffic.optional(),
    onError: z
      .enum(['Abort', 'Pause'])
      .default('Abort')
      .describe(
        'What a metric in Error does to the rollout: Abort, or Pause (AnalysisError) for a human. Default Abort.',
      ),
    dryRun: z
      .boolean()
      .default(false)
      .describe('When true, measured and recorded but never affects the run. Default false.'),
    provider: MetricProviderSpec,
  })
  .describe('One metric: how to measure it, how often, and how each measurement is judged.')
  // The same rules as judgeMetricProblems below, for the API server.
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '!has(self.minTraffic) || has(self.provider.prometheus)',
        message: 'minTraffic applies to prometheus metrics only',
      },
      {
        rule: '!has(self.provider.judge) || !has(self.provider.judge.comparisons) || (!has(self.successCondition) && !has(self.failureCondition))',
        message: 'a judge metric with comparisons is judged by provider.judge.scoring, not by conditions',
      },
    ],
  });
export type Metric = z.infer<typeof Metric>;

/** The spec shared by AnalysisTemplate and ClusterAnalysisTemplate. */
export const AnalysisTemplateSpec = z
  .object({
    args: z
      .array(TemplateArg)
      .max(TEMPLATE_LIMITS.args)
      .optional()
      .describe('Arguments the queries and conditions use as {{args.<name>}}, at most 64. Default: none.'),
    metrics: z
      .array(Metric)
      .min(1)
      .max(TEMPLATE_LIMITS.metrics)
      .meta(KEYED_BY_NAME)
      .describe('The metrics (1 to 64, unique names); the run fails when any metric fails.'),
  })
  .describe('Metrics, their queries and the conditions that decide whether a canary is healthy.')
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.metrics.forEach((metric, index) => {
      if (seen.has(metric.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', index, 'name'],
          message: `duplicate metric name "${metric.name}"`,
        });
      }
      seen.add(metric.name);
      for (const [field, message] of judgeMetricProblems(metric)) {
        ctx.addIssue({ code: 'custom', path: ['metrics', index, field], message });
      }
    });
  });

/** Fields a judge metric would silently ignore: they are errors instead. */
function judgeMetricProblems(metric: Metric): [keyof Metric, string][] {
  if ('web' in metric.provider && metric.minTraffic !== undefined)
    return [['minTraffic', 'applies to prometheus metrics only: a web metric has no Prometheus to ask']];
  if (!('judge' in metric.provider)) return [];
  const problems: [keyof Metric, string][] = [];
  if (metric.minTraffic !== undefined) {
    problems.push([
      'minTraffic',
      'applies to prometheus metrics only: a judge comparison with too few points is NoData (minSamples)',
    ]);
  }
  if (metric.provider.judge.comparisons === undefined) return problems;
  for (const field of ['successCondition', 'failureCondition'] as const) {
    if (metric[field] !== undefined) {
      problems.push([
        field,
        'not allowed with provider.judge.comparisons: their score is judged by provider.judge.scoring (pass, marginal)',
      ]);
    }
  }
  return problems;
}
export type AnalysisTemplateSpec = z.infer<typeof AnalysisTemplateSpec>;

/** A namespaced, reusable analysis. */
export const AnalysisTemplate = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('AnalysisTemplate'),
  metadata: ObjectMeta.extend({ name: ObjectName }),
  spec: AnalysisTemplateSpec,
});
export type AnalysisTemplate = z.infer<typeof AnalysisTemplate>;

/** A cluster-scoped analysis that every namespace may reference. */
export const ClusterAnalysisTemplate = AnalysisTemplate.extend({
  kind: z.literal('ClusterAnalysisTemplate'),
});
export type ClusterAnalysisTemplate = z.infer<typeof ClusterAnalysisTemplate>;
