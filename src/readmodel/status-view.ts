import type { AnalysisRunStatus, ApprovalRecord, CanaryPhase } from '../api/index.ts';
import { canaryView, describeStep, runView, type CanaryViewInput } from './canary-view.ts';
import type { AnalysisView, CanaryView, MeasurementView, MetricView } from './types.ts';
import { waitingFor, type Waiting, type WaitingInput } from './waiting.ts';

/** Where a step stands in the rollout under way. */
export type StepState = 'done' | 'current' | 'pending';

/** One line of the step list. */
export interface StepLine {
  /** From 1, as people count. */
  readonly number: number;
  readonly description: string;
  readonly state: StepState;
}

/** A metric of a run with its recent measurements (oldest first), not only the latest. */
export interface MetricDetail extends MetricView {
  readonly recent: readonly MeasurementView[];
}

/** One analysis run, for the status screen. */
export interface RunDetail extends Omit<AnalysisView, 'metrics'> {
  /** The step (from 1) of a step analysis. */
  readonly step: number | undefined;
  readonly startedAt: string;
  readonly finishedAt: string | undefined;
  readonly metrics: readonly MetricDetail[];
}

/** Everything `serin status` shows about one Canary. */
export interface StatusView {
  readonly view: CanaryView;
  readonly suspended: boolean;
  readonly steps: readonly StepLine[];
  /** The current analysis run and the one before it, newest first (current revision only). */
  readonly runs: readonly RunDetail[];
  /** The newest approvals the controller recorded, oldest first. */
  readonly approvals: readonly ApprovalRecord[];
  readonly waiting: Waiting;
}

/** What {@link statusView} reads: the view's inputs, the time, and how much history to keep. */
export interface StatusViewInput extends CanaryViewInput {
  readonly canary: WaitingInput;
  /** Epoch ms; pauses are counted down from it. */
  readonly now: number;
  /** Measurements kept per metric (default 5). */
  readonly recentMeasurements?: number;
  /** Approvals kept (default 10). */
  readonly maxApprovals?: number;
}

const FINISHED_ALL: readonly CanaryPhase[] = ['Promoting', 'Succeeded'];

function stepState(index: number, current: number | undefined, phase: CanaryView['phase']): StepState {
  if (FINISHED_ALL.includes(phase as CanaryPhase)) return 'done';
  if (current === undefined || phase === 'Idle' || phase === 'Initializing' || phase === 'Unknown') {
    return 'pending';
  }
  if (index < current) return 'done';
  return index === current ? 'current' : 'pending';
}

function runDetail(input: StatusViewInput, run: AnalysisRunStatus): RunDetail {
  const keep = input.recentMeasurements ?? 5;
  const base = runView(input.canary, run, input.templates ?? []);
  return {
    ...base,
    step: run.step === undefined ? undefined : run.step + 1,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    metrics: base.metrics.map((metric, i) => ({
      ...metric,
      recent: (run.metrics[i]?.measurements ?? []).slice(-keep).map((m) => ({
        phase: m.phase,
        value: m.value,
        message: m.message,
        startedAt: m.startedAt,
      })),
    })),
  };
}

/** The status screen's model of one Canary at `now`. Pure: the caller fetches and passes it all. */
export function statusView(input: StatusViewInput): StatusView {
  const { canary } = input;
  const view = canaryView(input);
  const status = canary.status;
  const current = status?.currentStepIndex;
  const runs = (status?.analysis ?? [])
    .filter((run) => run.revision === status?.revision)
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
    .slice(0, 2);
  return {
    view,
    suspended: canary.spec.suspend === true,
    steps: canary.spec.steps.map((step, index) => ({
      number: index + 1,
      description: describeStep(step),
      state: stepState(index, current, view.phase),
    })),
    runs: runs.map((run) => runDetail(input, run)),
    approvals: (status?.approvals ?? []).slice(-(input.maxApprovals ?? 10)),
    waiting: waitingFor(canary, input.now),
  };
}
