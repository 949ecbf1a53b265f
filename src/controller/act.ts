import type { AnalysisRunStatus, ApprovalRecord, CanaryStatus } from '../api/index.ts';
import { terminateRun } from '../analysis/index.ts';
import type { Effect } from '../machine/index.ts';
import { EffectError } from './failures.ts';
import {
  formatWeights,
  type RouteResult,
  type SeenRouteObject,
  type TrafficRouter,
  type Weights,
} from '../ports/traffic-router.ts';

/** A Kubernetes Event to record once the pass has committed its status. */
export interface PendingEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** An Approval whose own status says what became of it. */
export interface ApprovalDecision {
  readonly name: string;
  readonly phase: 'Applied' | 'Rejected';
  readonly reason?: string;
  readonly time: string;
}

/** What a pass will write and announce, built up while effects run. */
export interface PassDraft {
  status: CanaryStatus;
  readonly events: PendingEvent[];
  readonly notifications: { kind: string; message: string }[];
  readonly approvals: ApprovalDecision[];
  requeueAfterMs: number | undefined;
  /** The weights this pass wrote (and verified), if any. */
  weights: Weights | undefined;
}

/** The world-changing operations effects need. */
export interface EffectPorts {
  readonly router: TrafficRouter;
  /** Scales the target (canary) Deployment. */
  scaleCanary(replicas: number | 'toTarget'): Promise<void>;
  /** Copies the target's pod template into the primary. */
  promoteTemplateToPrimary(): Promise<void>;
  /** Puts the stable revision's template back into the primary (an abort during Promoting). */
  restorePrimary(stable: string | null): Promise<'restored' | 'unchanged' | 'unknown'>;
  /** Records a callGate effect: Pending status.webhooks entries, called once the pass has decided. */
  callGate(effect: Extract<Effect, { type: 'callGate' }>, draft: PassDraft): void;
  /** Creates the run's status for a startAnalysis effect. */
  startRun(effect: Extract<Effect, { type: 'startAnalysis' }>): AnalysisRunStatus;
  readonly now: number;
  readonly signal?: AbortSignal;
  /** The VirtualServices as the pass read them: the router plans from these (see SetWeightsOptions.seen). */
  readonly seen?: readonly SeenRouteObject[];
}

// Typed with the pass's failure reasons (src/controller/failures.ts), where every failure is classified.
export { EffectError } from './failures.ts';

const MAX_RUNS_KEPT = 6;

function upsertRun(runs: readonly AnalysisRunStatus[], run: AnalysisRunStatus): AnalysisRunStatus[] {
  const others = runs.filter((r) => r.runId !== run.runId);
  return [...others, run].slice(-MAX_RUNS_KEPT);
}

/** Sets the routes and fails the pass unless the router verified them. */
export async function applyWeights(
  ports: EffectPorts,
  draft: PassDraft,
  weights: Weights,
): Promise<RouteResult> {
  const lastApplied = draft.status.canaryWeight;
  const result = await ports.router.setWeights(weights, {
    ...(ports.signal ? { signal: ports.signal } : {}),
    ...(ports.seen ? { seen: ports.seen } : {}),
    ...(lastApplied === undefined
      ? {}
      : { lastApplied: { primary: 100 - lastApplied, canary: lastApplied } }),
  });
  if (result.kind === 'error') throw new EffectError(result.code, result.message);
  draft.weights = result.weights;
  draft.status = { ...draft.status, canaryWeight: result.weights.canary };
  if (result.kind === 'driftCorrected') {
    const drift = result.drift.map(
      (d) => `${d.virtualService.namespace}/${d.virtualService.name} ${d.route}: ${formatWeights(d.from)}`,
    );
    draft.events.push({
      type: 'Warning',
      reason: 'WeightsDrifted',
      message: `weights drifted (${drift.join('; ')}), restored to ${formatWeights(result.weights)}`,
    });
  }
  return result;
}

function recordApproval(draft: PassDraft, effect: Extract<Effect, { type: 'recordApproval' }>): void {
  const { approval, result, reason, time } = effect;
  const record: ApprovalRecord = {
    approver: approval.approver,
    action: approval.action,
    revision: approval.revision,
    time,
    result,
    ...(approval.name === undefined ? {} : { name: approval.name }),
    ...(approval.step === undefined ? {} : { step: approval.step }),
    ...(reason === undefined
      ? approval.reason === undefined
        ? {}
        : { reason: approval.reason }
      : { reason }),
  };
  draft.status = { ...draft.status, approvals: [...(draft.status.approvals ?? []), record].slice(-20) };
  if (approval.name !== undefined) {
    draft.approvals.push({
      name: approval.name,
      phase: result,
      time,
      ...(reason === undefined ? {} : { reason }),
    });
  }
}

function scaled(draft: PassDraft): void {
  const { canaryScaleDownAt: _cleared, ...rest } = draft.status;
  draft.status = rest;
}

function startAnalysis(
  effect: Extract<Effect, { type: 'startAnalysis' }>,
  ports: EffectPorts,
  draft: PassDraft,
): void {
  // Run ids are deterministic: a run that already exists is never started twice.
  if (draft.status.analysis?.some((run) => run.runId === effect.runId)) return;
  draft.status = {
    ...draft.status,
    analysis: upsertRun(draft.status.analysis ?? [], ports.startRun(effect)),
  };
}

function stopAnalysis(runId: string, ports: EffectPorts, draft: PassDraft): void {
  const run = draft.status.analysis?.find((r) => r.runId === runId);
  if (!run) return;
  const stopped = terminateRun(run, ports.now, 'stopped by the rollout');
  draft.status = { ...draft.status, analysis: upsertRun(draft.status.analysis ?? [], stopped) };
}

async function restorePrimary(stable: string | null, ports: EffectPorts, draft: PassDraft): Promise<void> {
  const outcome = await ports.restorePrimary(stable);
  if (outcome === 'restored') {
    draft.events.push({
      type: 'Normal',
      reason: 'PrimaryRestored',
      message: `promotion undone: the primary runs stable revision ${stable ?? ''} again`,
    });
  } else if (outcome === 'unknown') {
    draft.events.push({
      type: 'Warning',
      reason: 'PrimaryNotRestored',
      message: `promotion aborted, but the primary's template before it is not known to be ${stable ?? 'any stable revision'}: the primary keeps what it runs`,
    });
  }
}

/** Carries out one effect. World-changing effects go through the ports; the rest shape the draft. */
async function runEffect(effect: Effect, ports: EffectPorts, draft: PassDraft): Promise<void> {
  switch (effect.type) {
    case 'setWeights':
      await applyWeights(ports, draft, { primary: effect.primary, canary: effect.canary });
      return;
    case 'scaleCanary':
      await ports.scaleCanary('toTarget' in effect ? 'toTarget' : effect.replicas);
      scaled(draft);
      return;
    case 'scaleCanaryDownAfter':
      draft.status = {
        ...draft.status,
        canaryScaleDownAt: new Date(ports.now + effect.seconds * 1000).toISOString(),
      };
      return;
    case 'startAnalysis':
      startAnalysis(effect, ports, draft);
      return;
    case 'stopAnalysis':
      stopAnalysis(effect.runId, ports, draft);
      return;
    case 'promoteTemplateToPrimary':
      if (effect.restore === true) await restorePrimary(effect.revision, ports, draft);
      else await ports.promoteTemplateToPrimary();
      return;
    case 'recordApproval':
      recordApproval(draft, effect);
      return;
    case 'emitEvent':
      draft.events.push({ type: effect.severity, reason: effect.reason, message: effect.message });
      return;
    case 'notify':
      draft.notifications.push({ kind: effect.kind, message: effect.message });
      return;
    case 'callGate':
      ports.callGate(effect, draft);
      return;
    case 'requeueAfter':
      draft.requeueAfterMs = Math.min(draft.requeueAfterMs ?? Infinity, effect.ms);
      return;
  }
}

/** Carries out effects in order; the first failure stops the rest (EffectError). */
export async function runEffects(
  effects: readonly Effect[],
  ports: EffectPorts,
  draft: PassDraft,
): Promise<void> {
  for (const effect of effects) {
    if (ports.signal?.aborted)
      throw new EffectError('Aborted', 'leadership lost: stopping before the next effect');
    await runEffect(effect, ports, draft);
  }
}
