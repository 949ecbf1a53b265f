import { z } from 'zod';
import { API_VERSION, Duration, ObjectMeta, ObjectName, SecretKeyRef, exactlyOneOf } from './common.ts';

/** An argument a template declares; callers supply `value` unless it has one or reads a Secret. */
export const TemplateArg = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, { message: 'must be an identifier' }),
  value: z.string().optional(),
  valueFrom: z.object({ secretKeyRef: SecretKeyRef }).optional(),
});
export type TemplateArg = z.infer<typeof TemplateArg>;

const Header = z.object({ name: z.string().min(1), value: z.string() });

/** How serin reaches Prometheus. The bearer token is read from a Secret, never stored inline. */
export const PrometheusConnection = z.object({
  address: z.string().min(1).describe('Base URL of the Prometheus HTTP API, e.g. http://prometheus:9090'),
  timeout: Duration.default('30s'),
  headers: z.array(Header).optional(),
  bearerTokenSecretRef: SecretKeyRef.optional(),
});
export type PrometheusConnection = z.infer<typeof PrometheusConnection>;

/** A PromQL query whose result feeds the metric's conditions. */
export const PrometheusProvider = PrometheusConnection.extend({
  query: z.string().min(1),
});
export type PrometheusProvider = z.infer<typeof PrometheusProvider>;

/** Canary-vs-baseline comparison by the built-in statistical judge (see docs/judge.md). */
export const JudgeProvider = z.object({
  prometheus: PrometheusConnection,
  baselineQuery: z.string().min(1),
  canaryQuery: z.string().min(1),
  window: Duration.default('10m'),
  step: Duration.default('15s'),
  direction: z.enum(['increase', 'decrease', 'either']).default('increase'),
  method: z.enum(['auto', 'exact', 'asymptotic']).default('auto'),
  confidence: z.number().gt(0).lt(1).default(0.98),
  tolerance: z.number().min(0).default(0.25),
  allowedIncrease: z.number().min(0).optional(),
  allowedDecrease: z.number().min(0).optional(),
  minSamples: z.number().int().min(1).default(20),
  removeOutliers: z.boolean().default(false),
  weight: z.number().min(0).default(1),
  critical: z.boolean().default(false),
});
export type JudgeProvider = z.infer<typeof JudgeProvider>;

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
export const Metric = z.object({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/, {
    message: 'must be lowercase letters, digits, "-" or "_"',
  }),
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
});
export type Metric = z.infer<typeof Metric>;

/** The spec shared by AnalysisTemplate and ClusterAnalysisTemplate. */
export const AnalysisTemplateSpec = z
  .object({
    args: z.array(TemplateArg).optional(),
    metrics: z.array(Metric).min(1),
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
    });
  });
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
