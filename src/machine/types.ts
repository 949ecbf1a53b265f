import type {
  AnalysisArg,
  ApprovalAction,
  CanaryPhase,
  CanarySpec,
  PauseReason,
  TemplateRef,
} from '../api/index.ts';
import type { WebhookType } from '../api/webhooks.ts';

/** The outcome of one analysis run, as the analysis layer reports it. */
export type Verdict = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** What an `Error` verdict does to the rollout. Absent means `Abort`: traffic goes back to stable. */
export type OnError = 'Abort' | 'Pause';

/**
 * Every event may carry `now` (epoch ms); the machine keeps the latest one as its clock and never reads
 * the wall clock. `Tick` must carry it.
 */
interface Timed {
  readonly now?: number;
}

/** The verdict of one analysis run, matched against the run ids the machine started. */
export interface VerdictFields extends Timed {
  readonly runId: string;
  readonly verdict: Verdict;
  readonly onError?: OnError;
  readonly message?: string;
}

/**
 * The answer to a webhook gate the machine asked for (or, for the rollback gate, polls): `ok` when
 * every webhook of the gate answered 2xx (for rollback: when one did).
 */
export interface GateResultFields extends Timed {
  readonly gateId: string;
  readonly ok: boolean;
  /** What the webhooks answered, for people (never a URL). */
  readonly message?: string;
}

/** A webhook gate to call: who asks, for which rollout and step, and the phase the payload names. */
export interface GateAsk {
  readonly gateId: string;
  readonly gate: WebhookType;
  readonly revision: string;
  readonly step: number;
  readonly phase: CanaryPhase;
}

/** The gates the rollout waits on (rollback is polled, post-rollout only informs). */
export type WaitGate = 'confirm-rollout' | 'pre-rollout' | 'rollout' | 'confirm-promotion';

/** The webhook gate the rollout waits on. */
export interface AwaitedGate {
  readonly id: string;
  readonly type: WaitGate;
  readonly step: number;
  /** The last answer that held a confirm gate (null until one did). */
  readonly message: string | null;
}

/** A human decision as the controller read it from an Approval object. */
export interface ApprovalInput {
  readonly action: ApprovalAction;
  readonly revision: string;
  /** Absent: the current step. */
  readonly step?: number;
  readonly approver: string;
  /** The Approval object's name, for the audit trail. */
  readonly name?: string;
  readonly reason?: string;
}

/** What the controller observed or was told. Discriminated on `type`. */
export type CanaryEvent =
  | ({ readonly type: 'NewRevision'; readonly revision: string } & Timed)
  | ({ readonly type: 'CanaryReady'; readonly revision?: string } & Timed)
  | ({ readonly type: 'CanaryNotReady'; readonly revision?: string } & Timed)
  | ({ readonly type: 'PrimaryReady'; readonly revision?: string } & Timed)
  | { readonly type: 'Tick'; readonly now: number }
  | ({ readonly type: 'AnalysisVerdict' } & VerdictFields)
  | ({ readonly type: 'BackgroundAnalysisVerdict' } & VerdictFields)
  | ({ readonly type: 'Approval' } & ApprovalInput & Timed)
  | ({ readonly type: 'GateResult' } & GateResultFields)
  | ({ readonly type: 'SpecChanged' } & Timed)
  | ({ readonly type: 'Suspend' } & Timed)
  | ({ readonly type: 'Unsuspend' } & Timed);

export type CanaryEventType = CanaryEvent['type'];

/** What a notifier is told about. */
export type NotifyKind =
  'RolloutStarted' | 'WaitingForApproval' | 'Paused' | 'Promoting' | 'Succeeded' | 'Aborted' | 'Failed';

/** The machine's instructions to the controller, to be carried out in order. Discriminated on `type`. */
export type Effect =
  | { readonly type: 'setWeights'; readonly primary: number; readonly canary: number }
  | { readonly type: 'scaleCanary'; readonly replicas: number }
  | { readonly type: 'scaleCanary'; readonly toTarget: true }
  | { readonly type: 'scaleCanaryDownAfter'; readonly seconds: number }
  | {
      readonly type: 'startAnalysis';
      readonly runId: string;
      readonly kind: 'Step' | 'Background';
      readonly revision: string;
      /** The step the run belongs to (for a background run: the step it started at). */
      readonly step: number;
      readonly templates: readonly TemplateRef[];
      readonly args: readonly AnalysisArg[];
    }
  | { readonly type: 'stopAnalysis'; readonly runId: string }
  | {
      readonly type: 'promoteTemplateToPrimary';
      readonly revision: string | null;
      /**
       * The revision is the stable one the primary ran before a promotion that was aborted: put its
       * template back (an abort during Promoting), instead of copying the target's.
       */
      readonly restore?: true;
    }
  | {
      readonly type: 'recordApproval';
      readonly approval: ApprovalInput;
      readonly result: 'Applied' | 'Rejected';
      readonly reason?: string;
      /** ISO time of the machine's clock when it decided. */
      readonly time: string;
    }
  | {
      readonly type: 'emitEvent';
      readonly reason: string;
      readonly message: string;
      readonly severity: 'Normal' | 'Warning';
    }
  | { readonly type: 'notify'; readonly kind: NotifyKind; readonly message: string }
  /** Ask the webhooks of a gate (status.webhooks gets a Pending entry each); answered by GateResult. */
  | ({ readonly type: 'callGate' } & GateAsk)
  | { readonly type: 'requeueAfter'; readonly ms: number };

export type EffectType = Effect['type'];

/** The persisted form stored in `status.machine`: small JSON, never a copy of the spec. */
export type PersistedMachine = {
  /** MACHINE_STATE_VERSION when written; absent in state written before versions existed. */
  version?: number;
  value: unknown;
  context: Record<string, unknown>;
};

/** What a step is, as far as the machine is concerned. `approval` is a `pause {}` without duration. */
export type StepKind = 'setWeight' | 'pause' | 'approval' | 'analysis';

/**
 * The machine's memory. Every field is JSON (null, never undefined) so that a JSON round trip
 * restores exactly what was saved.
 */
export type MachineContext = {
  /** The latest time seen in an event (epoch ms). */
  now: number;
  revision: string | null;
  stableRevision: string | null;
  /** 1 for a revision's first rollout, +1 per Retry; shown to people. */
  attempt: number;
  /**
   * Rollouts this Canary has started, retries included: it only grows, and it is part of every run
   * id, so no two rollouts share a run (0 before the first, and in state saved before it existed).
   */
  rollout: number;
  stepIndex: number;
  /** The kind of the current step when it was entered; null while it is not entered. */
  stepKind: StepKind | null;
  /** Null until the current step is entered (entering waits while suspended). */
  stepStartedAt: number | null;
  /** The current step's completion was observed (ready canary, passing verdict, approval). */
  stepDone: boolean;
  stepRunId: string | null;
  backgroundRunId: string | null;
  /** The background run of this attempt was started once; never start it twice. */
  backgroundStarted: boolean;
  canaryWeight: number;
  canaryReady: boolean;
  /** Since when the machine has been waiting for the canary to become ready; null when not waiting. */
  readyWaitSince: number | null;
  promotingSince: number | null;
  primaryReady: boolean;
  pauseReason: PauseReason | null;
  suspended: boolean;
  /** A revision that arrived during Promoting; it starts once the promotion ends. */
  pendingRevision: string | null;
  /** Why the rollout is paused, aborted or failed. */
  message: string | null;
  /** Since when the primary is awaited while Initializing (null once Idle). */
  initializingSince: number | null;
  /** Initializing passed progressDeadlineSeconds without a ready primary: Stalled until it is ready. */
  initStalled: boolean;
  /** The webhook gate the rollout waits on (null: none, and in state saved before gates existed). */
  gate: AwaitedGate | null;
  /** Ids of the webhook gates this rollout passed (each id names its rollout, so they never repeat). */
  gatesPassed: readonly string[];
};

/** The event as the machine sees it: the controller's event plus the spec it was decided under. */
export type MachineEvent = CanaryEvent & { readonly spec: CanarySpec };

/** New context and the effects produced while getting there. */
export interface Outcome {
  readonly context: MachineContext;
  readonly effects: readonly Effect[];
}
