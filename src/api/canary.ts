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
import { CanaryNotifications, NotificationStatus } from './notifications.ts';
import { WebhookStatuses, Webhooks } from './webhooks.ts';

/** A reference to an AnalysisTemplate (namespaced) or a ClusterAnalysisTemplate. */
export const TemplateRef = exactlyOneOf([
  z.strictObject({
    templateName: ObjectName.describe("Name of an AnalysisTemplate in the Canary's namespace."),
  }),
  z.strictObject({
    clusterTemplateName: ObjectName.describe('Name of a ClusterAnalysisTemplate (cluster-scoped).'),
  }),
]).describe('A template to run: exactly one of templateName or clusterTemplateName.');
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
export const AnalysisArg = z.object({
  name: z.string().min(1).describe('Name of an argument the templates declare in spec.args.'),
  value: z
    .string()
    .describe(
      'Value substituted for {{args.<name>}} in the queries and conditions. serin also provides {{canary.name}}, {{canary.namespace}}, {{canary.workload}}, {{canary.primaryWorkload}}, {{canary.service}} and {{canary.revision}} itself. Example: "{{canary.workload}}" or "0.05".',
    ),
});
export type AnalysisArg = z.infer<typeof AnalysisArg>;

/** What a Failed analysis does: Abort (traffic back to primary, canary scaled down) or Pause. */
export const OnFailure = z.enum(['Abort', 'Pause']);
export type OnFailure = z.infer<typeof OnFailure>;

/** Templates run together as one analysis run. */
export const AnalysisRef = z
  .object({
    templates: z
      .array(TemplateRef)
      .min(1)
      .max(CANARY_LIMITS.templates)
      .describe(
        'The templates whose metrics run together as one analysis run (1 to 16); the run fails when any metric fails.',
      ),
    args: z
      .array(AnalysisArg)
      .max(CANARY_LIMITS.args)
      .optional()
      .describe(
        "Values for the templates' declared arguments (at most 64). Default: none; an argument without a value in the template or here is an error.",
      ),
    onFailure: OnFailure.optional().describe(
      "Overrides the Canary's onFailure for this analysis. Pause: canary weight 0, pods kept, Paused (AnalysisFailed) until an Approval: Retry, Abort, or PromoteFull with a reason.",
    ),
  })
  .describe('An analysis run: templates, their arguments and what a failure does.');
export type AnalysisRef = z.infer<typeof AnalysisRef>;

/** One step of a rollout: exactly one of setWeight, pause or analysis. */
export const CanaryStep = exactlyOneOf([
  z.strictObject({
    setWeight: z
      .number()
      .int()
      .min(0)
      .max(100)
      .describe(
        "Percent of the traffic (0 to 100) routed to the canary, once the canary's pods are ready; the primary gets the rest.",
      ),
  }),
  z.strictObject({
    pause: z
      .object({
        duration: Duration.optional().describe(
          'How long to wait before the next step, as a duration: digits and a unit (ms, s, m, h), e.g. 30s, 5m or 1h30m. Absent: wait for an Approval (Promote) for this step.',
        ),
      })
      .describe('Wait: for a duration, or (duration absent) for an Approval. Example: {duration: 5m} or {}.'),
  }),
  z.strictObject({
    analysis: AnalysisRef.describe(
      "Run the templates' metrics and wait for the verdict: the step ends when the run is Successful.",
    ),
  }),
]).describe('One step of the rollout: exactly one of setWeight, pause or analysis.');
export type CanaryStep = z.infer<typeof CanaryStep>;

/** An Istio VirtualService whose named routes serin re-weights. */
export const VirtualServiceRef = z
  .object({
    name: ObjectName.describe('Name of the Istio VirtualService.'),
    namespace: ObjectName.optional().describe(
      "Namespace of the VirtualService. Default: the Canary's namespace.",
    ),
    routes: z
      .array(z.string().min(1))
      .max(CANARY_LIMITS.routes)
      .optional()
      .describe(
        "Names of the HTTP routes (spec.http[].name) to re-weight, at most 32. Default (with neither tcpRoutes nor tlsRoutes): the VirtualService's only HTTP route; several are refused as ambiguous.",
      ),
    tcpRoutes: z
      .array(
        z
          .object({
            port: z
              .number()
              .int()
              .min(1)
              .max(65535)
              .describe("The port (1 to 65535) in the TCP route's match that selects it, e.g. 5432."),
          })
          .describe('A TCP route selected by its match port.'),
      )
      .max(CANARY_LIMITS.routes)
      .optional()
      .describe('TCP routes (spec.tcp[]) to re-weight, selected by port, at most 32. Default: none.'),
    tlsRoutes: z
      .array(
        z
          .object({
            port: z
              .number()
              .int()
              .min(1)
              .max(65535)
              .describe("The port (1 to 65535) in the TLS route's match, e.g. 443."),
            sniHosts: z
              .array(z.string().min(1))
              .min(1)
              .max(CANARY_LIMITS.sniHosts)
              .describe("The route's match sniHosts (1 to 32), e.g. [shop.example.com]."),
          })
          .describe('A TLS route selected by its match port and SNI hosts.'),
      )
      .max(CANARY_LIMITS.routes)
      .optional()
      .describe(
        'TLS routes (spec.tls[]) to re-weight, selected by port and SNI hosts, at most 32. Default: none.',
      ),
  })
  .describe('An Istio VirtualService whose routes serin re-weights between primary and canary.');
export type VirtualServiceRef = z.infer<typeof VirtualServiceRef>;

export const CanarySpec = z
  .object({
    targetRef: z
      .object({
        apiVersion: z.literal('apps/v1').describe('Always apps/v1.'),
        kind: z.literal('Deployment').describe('Always Deployment.'),
        name: ObjectName.describe(
          "Name of the Deployment in the Canary's namespace. serin runs its new revisions as the canary and keeps the released one in <name>-primary.",
        ),
      })
      .describe('The Deployment this Canary rolls out.'),
    autoscalerRef: z
      .object({
        apiVersion: z.literal('autoscaling/v2').describe('Always autoscaling/v2.'),
        kind: z.literal('HorizontalPodAutoscaler').describe('Always HorizontalPodAutoscaler.'),
        name: ObjectName.describe(
          "Name of the HorizontalPodAutoscaler in the Canary's namespace; it must target the Deployment in targetRef.",
        ),
      })
      .optional()
      .describe(
        'The HorizontalPodAutoscaler that scales the target. serin gives the primary a copy <name>-primary that targets <target>-primary and keeps it in sync, and never writes replicas the HPA owns. Default: the one autoscaling/v2 HPA in the namespace that targets the Deployment, if any.',
      ),
    service: z
      .object({
        name: ObjectName.describe('serin maintains Services <name>-primary and <name>-canary.'),
        port: z
          .number()
          .int()
          .min(1)
          .max(65535)
          .describe('The port (1 to 65535) the Services expose, e.g. 80.'),
        targetPort: z
          .union([z.number().int().min(1).max(65535), z.string().min(1)])
          .optional()
          .meta({ 'x-kubernetes-int-or-string': true })
          .describe(
            "The pods' port: a number (e.g. 8080) or a container port's name (e.g. http). Default: port.",
          ),
      })
      .describe(
        'The Service that fronts the Deployment; the VirtualServices route to its -primary and -canary copies.',
      ),
    trafficRouting: z
      .object({
        istio: z
          .object({
            virtualServices: z
              .array(VirtualServiceRef)
              .min(1)
              .max(CANARY_LIMITS.virtualServices)
              .describe(
                'The VirtualServices (1 to 16) whose routes serin re-weights; all get the same weights.',
              ),
          })
          .describe('Routing through Istio VirtualServices that the team owns.'),
      })
      .describe('How traffic is split between the primary and the canary.'),
    steps: z
      .array(CanaryStep)
      .min(1)
      .max(CANARY_LIMITS.steps)
      .describe(
        'The rollout, in order (1 to 64 steps); after the last one the canary is promoted. Example: [{setWeight: 20}, {pause: {duration: 5m}}, {analysis: {templates: [{templateName: error-rate}]}}].',
      ),
    analysis: AnalysisRef.extend({
      startingStep: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe('Index of the step (counted from 0) at which the background analysis starts. Default: 0.'),
    })
      .optional()
      .describe(
        'Background analysis: runs from startingStep until the promotion, beside the steps; a failure acts as onFailure says. Default: none.',
      ),
    progressDeadlineSeconds: z
      .number()
      .int()
      .min(1)
      .default(600)
      .describe(
        'Seconds the canary (or, while Promoting or Initializing, the primary) has to become ready before the rollout fails. Default 600. Not counted while paused or suspended.',
      ),
    abortScaleDownDelaySeconds: z
      .number()
      .int()
      .min(0)
      .default(30)
      .describe(
        'After an abort: seconds between the canary weight going to 0 and the canary pods being scaled down. Default 30.',
      ),
    scaleDownDelaySeconds: z
      .number()
      .int()
      .min(0)
      .default(30)
      .describe(
        'After a promotion (or a return to the stable revision): seconds between the canary weight going to 0 and the canary pods being scaled down, so proxies that still route to them drain first. Default 30.',
      ),
    onFailure: OnFailure.default('Abort').describe(
      'What a Failed analysis does. Abort: traffic back to primary, canary scaled down. Pause: canary weight 0, pods kept, Paused (AnalysisFailed) until an Approval: Retry, Abort, or PromoteFull with a reason. Default Abort.',
    ),
    suspend: z
      .boolean()
      .default(false)
      .describe(
        'While true, no step is entered or completed and no promotion ends; an abort still happens. Default false.',
      ),
    skipAnalysis: z
      .boolean()
      .default(false)
      .describe(
        'When true, no analysis runs: the new revision is promoted once its canary is ready. Default false.',
      ),
    notifications: CanaryNotifications.optional(),
    webhooks: Webhooks.optional(),
  })
  .describe('How the Deployment is rolled out: its Service, its routing, the steps and the analysis.');
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
export const CanaryPhase = z
  .enum(CANARY_PHASES)
  .describe(
    'Where the rollout is: Initializing, Idle, Progressing, Paused, Promoting, Succeeded, Aborted or Failed (see docs/state-machine.md).',
  );
export type CanaryPhase = z.infer<typeof CanaryPhase>;

export const PauseReason = z
  .enum(['Manual', 'InconclusiveAnalysis', 'AnalysisError', 'AnalysisFailed'])
  .describe(
    'Why the Canary is Paused: Manual (a pause step or an Approval), InconclusiveAnalysis, AnalysisError or AnalysisFailed (onFailure: Pause).',
  );
export type PauseReason = z.infer<typeof PauseReason>;

export const MeasurementPhase = z.enum(['Successful', 'Failed', 'Inconclusive', 'Error']);
export type MeasurementPhase = z.infer<typeof MeasurementPhase>;

export const AnalysisPhase = z.enum(['Pending', 'Running', 'Successful', 'Failed', 'Inconclusive', 'Error']);
export type AnalysisPhase = z.infer<typeof AnalysisPhase>;

/** One measurement as recorded in status. `value` is text so that ±Inf survive JSON. */
export const MeasurementStatus = z
  .object({
    phase: MeasurementPhase.describe('Successful, Failed, Inconclusive or Error.'),
    value: z
      .string()
      .optional()
      .describe(
        'The measured value as text (so that +Inf, -Inf and NaN survive), e.g. "0.0123" or "[1, 2]".',
      ),
    startedAt: z
      .string()
      .describe('When the measurement started (RFC 3339 time, e.g. 2026-01-02T15:04:05Z).'),
    finishedAt: z
      .string()
      .optional()
      .describe('When it finished (RFC 3339 time, e.g. 2026-01-02T15:04:05Z).'),
    message: z.string().optional().describe('Why it has this phase, e.g. "insufficient traffic: 37 < 100".'),
  })
  .describe('One measurement of a metric.');
export type MeasurementStatus = z.infer<typeof MeasurementStatus>;

/** A metric's counters and its last measurements. */
export const MetricStatus = z
  .object({
    name: z.string().describe("The metric's name in its template."),
    phase: AnalysisPhase.describe(
      "The metric's phase: Pending, Running, Successful, Failed, Inconclusive or Error.",
    ),
    count: z.number().int().default(0).describe('Measurements taken, errors not counted. Default 0.'),
    successful: z.number().int().default(0).describe('Successful measurements. Default 0.'),
    failed: z.number().int().default(0).describe('Failed measurements. Default 0.'),
    inconclusive: z.number().int().default(0).describe('Inconclusive measurements. Default 0.'),
    error: z.number().int().default(0).describe('Measurements that ended in an error. Default 0.'),
    consecutiveSuccess: z.number().int().default(0).describe('Successful measurements in a row. Default 0.'),
    consecutiveFailed: z.number().int().default(0).describe('Failed measurements in a row. Default 0.'),
    consecutiveError: z.number().int().default(0).describe('Errors in a row. Default 0.'),
    nextMeasurementAt: z
      .string()
      .optional()
      .describe('When the next measurement is due (RFC 3339 time, e.g. 2026-01-02T15:04:05Z).'),
    dryRun: z.boolean().optional().describe('True when the metric is measured but never affects the run.'),
    message: z.string().optional().describe('Why the metric has its phase, or why it was deferred.'),
    measurements: z
      .array(MeasurementStatus)
      .default([])
      .describe('The most recent measurements, oldest first. Default [].'),
  })
  .describe("A metric's counters and its last measurements.");
export type MetricStatus = z.infer<typeof MetricStatus>;

/** One analysis run (a step's analysis or the background analysis). */
export const AnalysisRunStatus = z
  .object({
    runId: z
      .string()
      .describe(
        'Unique id of the run: <revision>-r<rollout>-s<step> or <revision>-r<rollout>-bg, e.g. bd5ccb6e57-r1-s2.',
      ),
    kind: z.enum(['Step', 'Background']).describe('Step (an analysis step) or Background (spec.analysis).'),
    revision: z.string().describe('The revision (pod template hash) the run judges.'),
    step: z.number().int().optional().describe('Index of the step (counted from 0) for a Step run.'),
    phase: AnalysisPhase.describe(
      "The run's phase: Pending, Running, Successful, Failed, Inconclusive or Error.",
    ),
    startedAt: z.string().describe('When the run started (RFC 3339 time, e.g. 2026-01-02T15:04:05Z).'),
    finishedAt: z
      .string()
      .optional()
      .describe('When the run finished (RFC 3339 time, e.g. 2026-01-02T15:04:05Z).'),
    message: z.string().optional().describe('Why the run has its phase.'),
    metrics: z.array(MetricStatus).default([]).describe("Each metric's state. Default []."),
  })
  .describe("One analysis run (a step's analysis or the background analysis).");
export type AnalysisRunStatus = z.infer<typeof AnalysisRunStatus>;

/** A human decision that the controller applied or rejected. */
export const ApprovalRecord = z
  .object({
    name: z.string().optional().describe('Name of the Approval object.'),
    approver: z.string().describe('Who decided, as written in the Approval, e.g. alice@example.com.'),
    action: z.string().describe('Promote, PromoteFull, Abort, Retry, Pause or Resume.'),
    step: z.number().int().optional().describe('The step (counted from 0) the Approval was for.'),
    revision: z.string().describe('The revision the Approval was for.'),
    time: z.string().describe('When the controller handled it (RFC 3339 time, e.g. 2026-01-02T15:04:05Z).'),
    reason: z.string().optional().describe("The approver's reason, or why it was rejected."),
    result: z.enum(['Applied', 'Rejected']).optional().describe('Applied or Rejected.'),
  })
  .describe('A human decision that the controller applied or rejected.');
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

/** The persisted state machine snapshot: `{value, context}`, no copy of the spec. */
export const MachineState = preserveUnknown(
  z.object({ value: z.unknown(), context: z.record(z.string(), z.unknown()) }).loose(),
).describe(
  "The controller's persisted state machine ({version, value, context}); opaque, do not edit. A controller that does not know the version stalls the Canary (InvalidMachineState) instead of guessing.",
);
export type MachineState = z.infer<typeof MachineState>;

export const CanaryStatus = z
  .object({
    observedGeneration: z
      .number()
      .int()
      .optional()
      .describe('The metadata.generation of the spec the controller last acted on.'),
    phase: CanaryPhase.optional(),
    revision: z
      .string()
      .optional()
      .describe("The target Deployment's current revision (its pod template hash), e.g. bd5ccb6e57."),
    stableRevision: z.string().optional().describe('The revision the primary runs (the last one promoted).'),
    currentStepIndex: z
      .number()
      .int()
      .optional()
      .describe('Index of the current step, counted from 0 (serin status and get show it counted from 1).'),
    stepStartedAt: z
      .string()
      .optional()
      .describe('When the current step started (RFC 3339 time, e.g. 2026-01-02T15:04:05Z).'),
    canaryWeight: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe('Percent of the traffic (0 to 100) the canary receives, as verified in the VirtualServices.'),
    /**
     * When the canary of this revision last went from weight 0 to above 0 (verified in the
     * VirtualService): analyses count evidence from here (see docs/analysis.md, the evidence rule).
     */
    canaryTrafficSince: z
      .string()
      .optional()
      .describe(
        'When the canary of this revision last went from weight 0 to above 0 (RFC 3339 time, e.g. 2026-01-02T15:04:05Z); analyses count evidence from here.',
      ),
    /**
     * When the canary traffic of an earlier revision (or of an earlier spell of this one) last
     * ended: weight went from above 0 to 0, or a new revision took over while the weight was above
     * 0. Every revision of the canary is one Prometheus series, so until this time plus a query's
     * window and two scrapes a measurement may read that traffic and is deferred (the evidence rule).
     */
    previousTrafficUntil: z
      .string()
      .optional()
      .describe(
        'When the canary traffic of an earlier revision last ended (RFC 3339 time, e.g. 2026-01-02T15:04:05Z): weight went from above 0 to 0, or a new revision took over. Measurements whose query window still covers it are deferred.',
      ),
    /**
     * After an abort, a promotion or a return to stable: when the canary is due to be scaled to 0
     * (persisted so a restart keeps it).
     */
    canaryScaleDownAt: z
      .string()
      .optional()
      .describe(
        'When the canary is due to be scaled to 0 after an abort, a promotion or a return to stable (RFC 3339 time, e.g. 2026-01-02T15:04:05Z).',
      ),
    /**
     * While a deleted Canary waits for the primary or the target to have ready pods: since when (the
     * controller's clock), so the wait ends `progressDeadlineSeconds` later even across restarts.
     */
    handbackWaitSince: z
      .string()
      .optional()
      .describe(
        'While a deleted Canary waits for ready pods before handing the Deployment back: since when (RFC 3339 time, e.g. 2026-01-02T15:04:05Z).',
      ),
    pauseReason: PauseReason.optional(),
    message: z.string().optional().describe('What the Canary is doing or waiting for, for people.'),
    conditions: z.array(Condition).optional().describe('kstatus conditions: Ready, Reconciling, Stalled.'),
    analysis: z.array(AnalysisRunStatus).optional().describe('The analysis runs of the current rollout.'),
    approvals: z
      .array(ApprovalRecord)
      .optional()
      .describe('The Approvals the controller handled, oldest first.'),
    notifications: NotificationStatus.optional(),
    webhooks: WebhookStatuses.optional(),
    machine: MachineState.optional(),
  })
  .describe('What the controller observed and decided; written by the controller only.');
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
