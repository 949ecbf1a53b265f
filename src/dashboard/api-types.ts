/**
 * What the dashboard's server sends its page, and what the page sends back. Types only: the page
 * (a browser bundle) and the server (Node) share them and nothing else.
 */

/** A measurement, pass/fail/inconclusive/error, as the charts mark it. */
export type MarkPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** An Approval action the buttons create. */
export type DashboardAction = 'Promote' | 'PromoteFull' | 'Abort' | 'Retry' | 'Pause' | 'Resume';

/** Who the dashboard acts as, and where it looks. */
export interface SessionInfo {
  /** The namespace, or null for every namespace (-A). */
  readonly namespace: string | null;
  readonly user: string;
  /** `SelfSubjectReview` when the API server said so; `kubeconfig` when it could not. */
  readonly identitySource: string;
  readonly server: string;
}

/** One line of the Canary list. */
export interface CanaryListItem {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
  /** `Paused (Manual)`. */
  readonly phaseText: string;
  readonly step: { readonly number: number; readonly total: number } | null;
  readonly weights: { readonly primary: number; readonly canary: number };
  readonly waiting: string;
  readonly analysis: string;
  readonly revision: string;
  readonly message: string;
}

/** The list stream's messages (server-sent events named after `type`). */
export type ListMessage =
  | { readonly type: 'snapshot'; readonly items: readonly CanaryListItem[] }
  | { readonly type: 'upsert'; readonly item: CanaryListItem }
  | { readonly type: 'delete'; readonly namespace: string; readonly name: string }
  | { readonly type: 'error'; readonly message: string };

/** One point of a metric chart. `value` is null when the measurement has no number (an error). */
export interface MetricPoint {
  /** Epoch ms. */
  readonly t: number;
  readonly value: number | null;
  readonly phase: MarkPhase;
  readonly message: string;
}

/** A threshold read from a condition such as `result >= 0.99`. */
export interface Threshold {
  readonly value: number;
  readonly op: '<' | '<=' | '>' | '>=';
  /** Which condition it came from: measurements meeting a success condition pass; a failure one fails. */
  readonly from: 'success' | 'failure';
}

/** A metric of the current revision's analyses, with every measurement status still holds. */
export interface MetricChart {
  readonly metric: string;
  readonly condition: string | null;
  readonly threshold: Threshold | null;
  readonly points: readonly MetricPoint[];
  /** True when the metric's query can be asked for its recent history (a Prometheus provider). */
  readonly hasHistory: boolean;
}

/** A judge comparison read from a judge measurement's message. */
export interface Comparison {
  readonly metric: string;
  readonly t: number;
  readonly phase: MarkPhase;
  readonly classification: string;
  readonly pValue: string | null;
  readonly shift: string | null;
  readonly interval: string | null;
  readonly message: string;
}

/** An Approval object of the Canary, newest first: what was asked and what the controller decided. */
export interface ApprovalItem {
  readonly name: string;
  readonly action: string;
  readonly approver: string;
  readonly reason: string;
  readonly created: string;
  /** `Pending` until the controller decides. */
  readonly phase: 'Pending' | 'Applied' | 'Rejected';
  readonly decision: string;
}

/** Whether the controller would take an action now, and why not (the state machine's own answer). */
export interface ActionHint {
  readonly applies: boolean;
  readonly why: string;
}

/** Whether the user may create Approvals here, and why not. */
export interface Permission {
  readonly allowed: boolean;
  readonly reason: string;
}

/** Everything the Canary page shows. */
export interface CanaryDetail {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
  readonly phaseText: string;
  readonly message: string;
  readonly revision: string;
  readonly stableRevision: string;
  readonly weights: { readonly primary: number; readonly canary: number };
  readonly waiting: { readonly short: string; readonly text: string };
  readonly steps: readonly {
    readonly number: number;
    readonly description: string;
    readonly state: string;
  }[];
  /** The canary weight each time the dashboard saw it change (epoch ms). */
  readonly weightHistory: readonly { readonly t: number; readonly canary: number }[];
  readonly metrics: readonly MetricChart[];
  readonly comparisons: readonly Comparison[];
  /** What the controller recorded in status, oldest first. */
  readonly approvalHistory: readonly {
    readonly name: string;
    readonly action: string;
    readonly approver: string;
    readonly time: string;
    readonly result: string;
    readonly reason: string;
  }[];
  readonly approvals: readonly ApprovalItem[];
  readonly events: readonly {
    readonly time: string;
    readonly type: string;
    readonly reason: string;
    readonly message: string;
    readonly count: number;
  }[];
  readonly permission: Permission;
  /** Which actions the controller would take now. */
  readonly actions: Readonly<Record<DashboardAction, ActionHint>>;
  /** Parts that could not be read (Events forbidden...), said in the page rather than hidden. */
  readonly notes: readonly string[];
}

/** The Canary stream's messages. */
export type DetailMessage =
  | { readonly type: 'detail'; readonly detail: CanaryDetail }
  | { readonly type: 'error'; readonly message: string };

/** A metric's recent history from Prometheus, or why there is none. */
export type HistoryAnswer =
  | { readonly ok: true; readonly query: string; readonly points: readonly (readonly [number, number])[] }
  | { readonly ok: false; readonly reason: string };

/** The body of an action request. */
export interface ActionRequest {
  readonly action: DashboardAction;
  readonly reason: string;
}

/** What an action request answers: the Approval created, or why nothing was. */
export type ActionAnswer =
  | { readonly ok: true; readonly approval: string; readonly message: string }
  | { readonly ok: false; readonly error: string };

/** The header a state-changing request carries its CSRF token in. */
export const CSRF_HEADER = 'x-serin-csrf';
