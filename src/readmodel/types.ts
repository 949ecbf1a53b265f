import type {
  AnalysisPhase,
  CanaryPhase,
  CanaryStatus,
  CanaryStep,
  MeasurementPhase,
  PauseReason,
} from '../api/index.ts';

/** The parts of a Canary the view reads; a parsed `Canary` fits. */
export interface CanaryLike {
  readonly metadata: { readonly name?: string | undefined; readonly namespace?: string | undefined };
  readonly spec: {
    readonly steps: readonly CanaryStep[];
    readonly analysis?: { readonly templates: readonly TemplateRefLike[] } | undefined;
  };
  readonly status?: CanaryStatus | undefined;
}

/** A reference to an AnalysisTemplate or a ClusterAnalysisTemplate. */
export interface TemplateRefLike {
  readonly templateName?: string | undefined;
  readonly clusterTemplateName?: string | undefined;
}

/** A core/v1 Event as the API returns it (only the fields the view reads). */
export interface EventLike {
  readonly metadata?: { readonly name?: string | undefined } | undefined;
  readonly involvedObject?:
    { readonly kind?: string | undefined; readonly name?: string | undefined } | undefined;
  readonly type?: string | undefined;
  readonly reason?: string | undefined;
  readonly message?: string | undefined;
  readonly count?: number | undefined;
  readonly firstTimestamp?: string | undefined;
  readonly lastTimestamp?: string | undefined;
  readonly eventTime?: string | undefined;
}

/** A judge provider as far as the view needs it: scored comparisons are judged by thresholds. */
export interface JudgeLike {
  readonly comparisons?: readonly unknown[] | undefined;
  readonly scoring?:
    { readonly pass?: number | undefined; readonly marginal?: number | undefined } | undefined;
}

/** An AnalysisTemplate or ClusterAnalysisTemplate: where a metric's conditions are read from. */
export interface TemplateLike {
  readonly metadata: { readonly name?: string | undefined };
  readonly spec?:
    | {
        readonly metrics?:
          | readonly {
              readonly name: string;
              readonly successCondition?: string | undefined;
              readonly failureCondition?: string | undefined;
              readonly provider?: { readonly judge?: JudgeLike | undefined } | undefined;
            }[]
          | undefined;
      }
    | undefined;
}

/** The step the Canary is at, numbered from 1 as people count. */
export interface StepView {
  readonly number: number;
  readonly total: number;
  /** e.g. `set weight 10%`, `pause 5s`, `wait for approval`, `analysis istio-success-rate`. */
  readonly description: string;
}

/** Share of traffic, in percent; the two add up to 100. */
export interface Weights {
  readonly primary: number;
  readonly canary: number;
}

/** One measurement as shown: its value stays text (±Inf, NaN survive). */
export interface MeasurementView {
  readonly phase: MeasurementPhase;
  readonly value: string | undefined;
  readonly message: string | undefined;
  readonly startedAt: string;
}

/** A metric of the analysis shown: its latest measurement next to the condition that judged it. */
export interface MetricView {
  readonly name: string;
  readonly phase: AnalysisPhase;
  /** `result >= 0.99`, or `success: … / failure: …` when the template has both; undefined when unknown. */
  readonly condition: string | undefined;
  readonly latest: MeasurementView | undefined;
  readonly count: number;
  readonly failed: number;
}

/** The analysis run shown: the newest one of the Canary's current revision. */
export interface AnalysisView {
  readonly runId: string;
  readonly kind: 'Step' | 'Background';
  readonly phase: AnalysisPhase;
  readonly message: string | undefined;
  readonly metrics: readonly MetricView[];
}

/** One Event about the Canary. */
export interface EventView {
  /** Stable identity of the Event object (its name), for spotting new ones. */
  readonly id: string;
  readonly time: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
}

/** What a person sees about one Canary: `serin status`, the demo's live view and its log. */
export interface CanaryView {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly phase: CanaryPhase | 'Unknown';
  readonly pauseReason: PauseReason | undefined;
  readonly message: string | undefined;
  readonly revision: string | undefined;
  readonly stableRevision: string | undefined;
  readonly step: StepView | undefined;
  readonly weights: Weights;
  readonly analysis: AnalysisView | undefined;
  /** The newest Events, oldest first. */
  readonly events: readonly EventView[];
}
