import { z } from 'zod';
import { API_VERSION, Duration, ObjectMeta, ObjectName, SecretKeyRef, exactlyOneOf } from './common.ts';

/** An argument a template declares; callers supply `value` unless it has one or reads a Secret. */
export const TemplateArg = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, { message: 'must be an identifier' }),
  value: z.string().optional(),
  valueFrom: z.object({ secretKeyRef: SecretKeyRef }).optional(),
});
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

const Header = z.object({ name: z.string().min(1), value: z.string() });

/** How serin reaches Prometheus. The bearer token is read from a Secret, never stored inline. */
export const PrometheusConnection = z.object({
  address: z.string().min(1).describe('Base URL of the Prometheus HTTP API, e.g. http://prometheus:9090'),
  timeout: Duration.default('30s'),
  headers: z.array(Header).max(TEMPLATE_LIMITS.headers).optional(),
  bearerTokenSecretRef: SecretKeyRef.optional(),
});
export type PrometheusConnection = z.infer<typeof PrometheusConnection>;

/** A PromQL query whose result feeds the metric's conditions. */
export const PrometheusProvider = PrometheusConnection.extend({
  query: z.string().min(1),
  // The evidence rule (docs/analysis.md): a measurement may pass only once the canary's traffic
  // covers its queries' window plus two scrapes. Prometheus scrapes every 1m unless told otherwise.
  scrapeInterval: Duration.default('1m').describe(
    "How often this Prometheus scrapes the canary's pods. A measurement can pass only once the canary has had traffic for its queries' window plus two scrape intervals. Default 1m (Prometheus' own default)",
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

/** One canary-vs-baseline comparison of a scored judge metric; unset options come from the provider. */
export const JudgeComparison = z.object({
  name: MetricName,
  baselineQuery: z.string().min(1),
  canaryQuery: z.string().min(1),
  direction: judgeOptions.direction.optional(),
  method: judgeOptions.method.optional(),
  confidence: judgeOptions.confidence.optional(),
  tolerance: judgeOptions.tolerance.optional(),
  allowedIncrease: judgeOptions.allowedIncrease.optional(),
  allowedDecrease: judgeOptions.allowedDecrease.optional(),
  minSamples: judgeOptions.minSamples.optional(),
  removeOutliers: judgeOptions.removeOutliers.optional(),
  weight: z.number().min(0).default(1).describe('Share of the score; Pass adds it, anything else does not'),
  critical: z.boolean().default(false).describe('When not Pass, the score is 0'),
});
export type JudgeComparison = z.infer<typeof JudgeComparison>;

/** Maps the 0-100 score to the measurement's phase, Kayenta-style. */
export const JudgeScoring = z
  .object({
    // Above 0: a score of 0 (nothing passed, or nothing had data) must never be Successful.
    pass: z.number().gt(0).max(100).default(95).describe('Successful at or above this score (above 0)'),
    marginal: z.number().min(0).max(100).default(75).describe('Inconclusive at or above, Failed below'),
  })
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
    prometheus: PrometheusConnection,
    baselineQuery: z.string().min(1).optional(),
    canaryQuery: z.string().min(1).optional(),
    comparisons: z
      .array(JudgeComparison)
      .min(1)
      .max(TEMPLATE_LIMITS.comparisons)
      .meta({ ...KEYED_BY_NAME, 'x-kubernetes-validations': COMPARISON_RULES })
      .optional(),
    scoring: JudgeScoring.optional(),
    window: Duration.default('10m'),
    step: Duration.default('15s'),
    direction: judgeOptions.direction.default('increase'),
    method: judgeOptions.method.default('auto'),
    confidence: judgeOptions.confidence.default(0.98),
    tolerance: judgeOptions.tolerance.default(0.25),
    allowedIncrease: judgeOptions.allowedIncrease.optional(),
    allowedDecrease: judgeOptions.allowedDecrease.optional(),
    minSamples: judgeOptions.minSamples.default(20),
    removeOutliers: judgeOptions.removeOutliers.default(false),
  })
  .superRefine(checkJudgeShape)
  .meta({ 'x-kubernetes-validations': JUDGE_SHAPE_RULES });
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
  z.strictObject({ prometheus: PrometheusProvider }),
  z.strictObject({ judge: JudgeProvider }),
]);
export type MetricProviderSpec = z.infer<typeof MetricProviderSpec>;

/** The low-traffic guard: below `min`, a measurement is Inconclusive, never judged. */
export const MinTraffic = z.object({
  query: z.string().min(1),
  min: z.number().min(0),
});
export type MinTraffic = z.infer<typeof MinTraffic>;

/** One metric of an analysis: how to measure it and how to judge each measurement. */
export const Metric = z
  .object({
    name: MetricName,
    interval: Duration.optional(),
    count: z.number().int().min(0).optional(),
    initialDelay: Duration.optional(),
    successCondition: z.string().min(1).optional(),
    failureCondition: z.string().min(1).optional(),
    failureLimit: z.number().int().min(-1).default(0),
    consecutiveFailureLimit: z.number().int().min(1).optional(),
    inconclusiveLimit: z.number().int().min(0).default(0),
    consecutiveErrorLimit: z.number().int().min(0).default(4),
    consecutiveSuccessLimit: z.number().int().min(1).optional(),
    noData: z.enum(['Inconclusive', 'Failed']).default('Inconclusive'),
    minTraffic: MinTraffic.optional(),
    onError: z.enum(['Abort', 'Pause']).default('Abort'),
    dryRun: z.boolean().default(false),
    provider: MetricProviderSpec,
  })
  // The same rules as judgeMetricProblems below, for the API server.
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '!has(self.minTraffic) || !has(self.provider.judge)',
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
    args: z.array(TemplateArg).max(TEMPLATE_LIMITS.args).optional(),
    metrics: z.array(Metric).min(1).max(TEMPLATE_LIMITS.metrics).meta(KEYED_BY_NAME),
  })
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
