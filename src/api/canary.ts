import { z } from 'zod';
import {
  API_VERSION,
  Condition,
  Duration,
  ObjectMeta,
  ObjectName,
  exactlyOneOf,
  preserveUnknown,
} from './common.ts';

/** A reference to an AnalysisTemplate (namespaced) or a ClusterAnalysisTemplate. */
export const TemplateRef = exactlyOneOf([
  z.strictObject({ templateName: ObjectName }),
  z.strictObject({ clusterTemplateName: ObjectName }),
]);
export type TemplateRef = z.infer<typeof TemplateRef>;

/**
 * Upper bounds of the spec's lists. The API server estimates the cost of a CRD's CEL rules from
 * them and refuses the CRD when a rule sits under an unbounded list (README, "Installing the
 * CRDs"); they are far above what a rollout needs.
 */
export const CANARY_LIMITS = {
  steps: 64,
  templates: 16,
  args: 64,
  virtualServices: 16,
  routes: 32,
  sniHosts: 32,
} as const;

/** A value passed to a template's declared argument. */
export const AnalysisArg = z.object({ name: z.string().min(1), value: z.string() });
export type AnalysisArg = z.infer<typeof AnalysisArg>;

/** What a Failed analysis does: Abort (traffic back to primary, canary scaled down) or Pause. */
export const OnFailure = z.enum(['Abort', 'Pause']);
export type OnFailure = z.infer<typeof OnFailure>;

/** Templates run together as one analysis run. */
export const AnalysisRef = z.object({
  templates: z.array(TemplateRef).min(1).max(CANARY_LIMITS.templates),
  args: z.array(AnalysisArg).max(CANARY_LIMITS.args).optional(),
  onFailure: OnFailure.optional().describe(
    "Overrides the Canary's onFailure for this analysis. Pause: canary weight 0, pods kept, Paused (AnalysisFailed) until an Approval: Retry, Abort, or PromoteFull with a reason.",
  ),
});
export type AnalysisRef = z.infer<typeof AnalysisRef>;

/** One step of a rollout: exactly one of setWeight, pause or analysis. */
export const CanaryStep = exactlyOneOf([
  z.strictObject({ setWeight: z.number().int().min(0).max(100) }),
  z.strictObject({
    pause: z.object({
      duration: Duration.optional().describe('Absent: wait for an Approval (Promote) for this step.'),
    }),
  }),
  z.strictObject({ analysis: AnalysisRef }),
]);
export type CanaryStep = z.infer<typeof CanaryStep>;

/** An Istio VirtualService whose named routes serin re-weights. */
export const VirtualServiceRef = z.object({
  name: ObjectName,
  namespace: ObjectName.optional(),
  routes: z.array(z.string().min(1)).max(CANARY_LIMITS.routes).optional(),
  tcpRoutes: z
    .array(z.object({ port: z.number().int().min(1).max(65535) }))
    .max(CANARY_LIMITS.routes)
    .optional(),
  tlsRoutes: z
    .array(
      z.object({
        port: z.number().int().min(1).max(65535),
        sniHosts: z.array(z.string().min(1)).min(1).max(CANARY_LIMITS.sniHosts),
      }),
    )
    .max(CANARY_LIMITS.routes)
    .optional(),
});
export type VirtualServiceRef = z.infer<typeof VirtualServiceRef>;

export const CanarySpec = z.object({
  targetRef: z.object({
    apiVersion: z.literal('apps/v1'),
    kind: z.literal('Deployment'),
    name: ObjectName,
  }),
  service: z.object({
    name: ObjectName.describe('serin maintains Services <name>-primary and <name>-canary.'),
    port: z.number().int().min(1).max(65535),
    targetPort: z
      .union([z.number().int().min(1).max(65535), z.string().min(1)])
      .optional()
      .meta({ 'x-kubernetes-int-or-string': true }),
  }),
  trafficRouting: z.object({
    istio: z.object({
      virtualServices: z.array(VirtualServiceRef).min(1).max(CANARY_LIMITS.virtualServices),
    }),
  }),
  steps: z.array(CanaryStep).min(1).max(CANARY_LIMITS.steps),
  analysis: AnalysisRef.extend({ startingStep: z.number().int().min(0).optional() }).optional(),
  progressDeadlineSeconds: z.number().int().min(1).default(600),
  abortScaleDownDelaySeconds: z.number().int().min(0).default(30),
  scaleDownDelaySeconds: z
    .number()
    .int()
    .min(0)
    .default(30)
    .describe(
      'After a promotion (or a return to the stable revision): seconds between the canary weight going to 0 and the canary pods being scaled down, so proxies that still route to them drain first.',
    ),
  onFailure: OnFailure.default('Abort').describe(
    'What a Failed analysis does. Abort: traffic back to primary, canary scaled down. Pause: canary weight 0, pods kept, Paused (AnalysisFailed) until an Approval: Retry, Abort, or PromoteFull with a reason.',
  ),
  suspend: z.boolean().default(false),
  skipAnalysis: z.boolean().default(false),
});
export type CanarySpec = z.infer<typeof CanarySpec>;
export type CanarySpecInput = z.input<typeof CanarySpec>;

export const CANARY_PHASES = [
  'Initializing',
  'Idle',
  'Progressing',
  'Paused',
  'Promoting',
  'Succeeded',
  'Aborted',
  'Failed',
] as const;
export const CanaryPhase = z.enum(CANARY_PHASES);
export type CanaryPhase = z.infer<typeof CanaryPhase>;

export const PauseReason = z.enum(['Manual', 'InconclusiveAnalysis', 'AnalysisError', 'AnalysisFailed']);
export type PauseReason = z.infer<typeof PauseReason>;

export const MeasurementPhase = z.enum(['Successful', 'Failed', 'Inconclusive', 'Error']);
export type MeasurementPhase = z.infer<typeof MeasurementPhase>;

export const AnalysisPhase = z.enum(['Pending', 'Running', 'Successful', 'Failed', 'Inconclusive', 'Error']);
export type AnalysisPhase = z.infer<typeof AnalysisPhase>;

/** One measurement as recorded in status. `value` is text so that ±Inf survive JSON. */
export const MeasurementStatus = z.object({
  phase: MeasurementPhase,
  value: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  message: z.string().optional(),
});
export type MeasurementStatus = z.infer<typeof MeasurementStatus>;

/** A metric's counters and its last measurements. */
export const MetricStatus = z.object({
  name: z.string(),
  phase: AnalysisPhase,
  count: z.number().int().default(0),
  successful: z.number().int().default(0),
  failed: z.number().int().default(0),
  inconclusive: z.number().int().default(0),
  error: z.number().int().default(0),
  consecutiveSuccess: z.number().int().default(0),
  consecutiveFailed: z.number().int().default(0),
  consecutiveError: z.number().int().default(0),
  nextMeasurementAt: z.string().optional(),
  dryRun: z.boolean().optional(),
  message: z.string().optional(),
  measurements: z.array(MeasurementStatus).default([]),
});
export type MetricStatus = z.infer<typeof MetricStatus>;

/** One analysis run (a step's analysis or the background analysis). */
export const AnalysisRunStatus = z.object({
  runId: z.string(),
  kind: z.enum(['Step', 'Background']),
  revision: z.string(),
  step: z.number().int().optional(),
  phase: AnalysisPhase,
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  message: z.string().optional(),
  metrics: z.array(MetricStatus).default([]),
});
export type AnalysisRunStatus = z.infer<typeof AnalysisRunStatus>;

/** A human decision that the controller applied or rejected. */
export const ApprovalRecord = z.object({
  name: z.string().optional(),
  approver: z.string(),
  action: z.string(),
  step: z.number().int().optional(),
  revision: z.string(),
  time: z.string(),
  reason: z.string().optional(),
  result: z.enum(['Applied', 'Rejected']).optional(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

/** The persisted state machine snapshot: `{value, context}`, no copy of the spec. */
export const MachineState = preserveUnknown(
  z.object({ value: z.unknown(), context: z.record(z.string(), z.unknown()) }).loose(),
);
export type MachineState = z.infer<typeof MachineState>;

export const CanaryStatus = z.object({
  observedGeneration: z.number().int().optional(),
  phase: CanaryPhase.optional(),
  revision: z.string().optional(),
  stableRevision: z.string().optional(),
  currentStepIndex: z.number().int().optional(),
  stepStartedAt: z.string().optional(),
  canaryWeight: z.number().int().min(0).max(100).optional(),
  /**
   * When the canary of this revision last went from weight 0 to above 0 (verified in the
   * VirtualService): analyses count evidence from here (see docs/analysis.md, the evidence rule).
   */
  canaryTrafficSince: z.string().optional(),
  /**
   * After an abort, a promotion or a return to stable: when the canary is due to be scaled to 0
   * (persisted so a restart keeps it).
   */
  canaryScaleDownAt: z.string().optional(),
  /**
   * While a deleted Canary waits for the primary or the target to have ready pods: since when (the
   * controller's clock), so the wait ends `progressDeadlineSeconds` later even across restarts.
   */
  handbackWaitSince: z.string().optional(),
  pauseReason: PauseReason.optional(),
  message: z.string().optional(),
  conditions: z.array(Condition).optional(),
  analysis: z.array(AnalysisRunStatus).optional(),
  approvals: z.array(ApprovalRecord).optional(),
  machine: MachineState.optional(),
});
export type CanaryStatus = z.infer<typeof CanaryStatus>;

/** A canary rollout for one Deployment, routed by the team's own Istio VirtualServices. */
export const Canary = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Canary'),
  metadata: ObjectMeta.extend({ name: ObjectName }),
  spec: CanarySpec,
  status: CanaryStatus.optional(),
});
export type Canary = z.infer<typeof Canary>;
export type CanaryInput = z.input<typeof Canary>;
