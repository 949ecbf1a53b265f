import type { CanaryPhase, CanarySpec } from '../api/index.ts';
import type { WebhookType } from '../api/webhooks.ts';
import { event } from './context.ts';
import { stepComplete } from './steps.ts';
import { endRollout, pauseOnFailure } from './rollout.ts';
import type {
  AwaitedGate,
  Effect,
  GateAsk,
  MachineContext,
  MachineEvent,
  Outcome,
  WaitGate,
} from './types.ts';

/**
 * Webhook gates (Flagger's semantics). The machine asks for a gate with a `callGate` effect and waits
 * for a `GateResult` event naming the same id, as it does for analysis runs: the controller makes the
 * calls, the machine only decides. Ids are deterministic and name the rollout, so a controller that
 * restarts mid-call asks again and a late answer for another rollout is ignored.
 */

const CONFIRM: readonly WaitGate[] = ['confirm-rollout', 'confirm-promotion'];

/** A confirm gate waits while its answer is not 2xx; the others decide once. */
export function isConfirmGate(type: WebhookType): boolean {
  return (CONFIRM as readonly string[]).includes(type);
}

/** The id of a gate of one rollout: `<revision>-r<rollout>-<type>`, with `-s<step>` for rollout gates. */
export function gateIdFor(revision: string, rollout: number, type: WebhookType, step: number): string {
  return type === 'rollout' ? `${revision}-r${rollout}-s${step}-rollout` : `${revision}-r${rollout}-${type}`;
}

/** The names of the Canary's webhooks of a type, in spec order. */
export function webhookNames(spec: CanarySpec, type: WebhookType): string[] {
  return (spec.webhooks ?? []).filter((webhook) => webhook.type === type).map((webhook) => webhook.name);
}

function has(spec: CanarySpec, type: WebhookType): boolean {
  return webhookNames(spec, type).length > 0;
}

/** The gate the rollout waits on, unless the spec no longer has webhooks of its type. */
export function awaitedGate(context: MachineContext, spec: CanarySpec): AwaitedGate | null {
  const gate = context.gate;
  return gate !== null && has(spec, gate.type) ? gate : null;
}

function passed(context: MachineContext, id: string): boolean {
  return context.gatesPassed.includes(id);
}

/**
 * The gate the rollout must pass next, if any: confirm-rollout then pre-rollout before the first step
 * is entered; a rollout gate once a step is otherwise complete; confirm-promotion once the steps are
 * exhausted. skipAnalysis skips every gate (it is the explicit bypass of every check).
 */
export function dueGate(context: MachineContext, spec: CanarySpec): { type: WaitGate; id: string } | null {
  const revision = context.revision;
  if (revision === null || spec.skipAnalysis || awaitedGate(context, spec) !== null) return null;
  const due = (type: WaitGate) => {
    const id = gateIdFor(revision, context.rollout, type, context.stepIndex);
    return has(spec, type) && !passed(context, id) ? { type, id } : null;
  };
  const beforeFirstStep = context.stepIndex === 0 && context.stepStartedAt === null;
  if (beforeFirstStep) return due('confirm-rollout') ?? due('pre-rollout');
  if (stepComplete(context, spec)) return due('rollout');
  const exhausted = context.stepStartedAt === null && context.stepIndex >= spec.steps.length;
  return exhausted ? due('confirm-promotion') : null;
}

function describeNames(spec: CanarySpec, type: WebhookType): string {
  return `${type} webhook${webhookNames(spec, type).length > 1 ? 's' : ''} ${webhookNames(spec, type).join(', ')}`;
}

/** Asks for the due gate: the rollout holds until its GateResult. */
export function askGate(context: MachineContext, spec: CanarySpec): Outcome {
  const due = dueGate(context, spec);
  if (due === null || context.revision === null) return { context, effects: [] };
  const ask: GateAsk = {
    gateId: due.id,
    gate: due.type,
    revision: context.revision,
    step: context.stepIndex,
    phase: 'Progressing',
  };
  const gate: AwaitedGate = { id: due.id, type: due.type, step: context.stepIndex, message: null };
  return {
    context: { ...context, gate },
    effects: [
      { type: 'callGate', ...ask },
      event('WebhookGate', `asking the ${describeNames(spec, due.type)} for ${context.revision}`),
    ],
  };
}

/** What a GateResult means for the rollout as it is now; null when it answers nothing awaited. */
export type GateOutcome = 'pass' | 'hold' | 'abort' | 'pause' | 'rollback';

export function gateOutcome(context: MachineContext, observed: MachineEvent): GateOutcome | null {
  if (observed.type !== 'GateResult') return null;
  const { spec } = observed;
  const revision = context.revision;
  const rollbackId = revision === null ? null : gateIdFor(revision, context.rollout, 'rollback', 0);
  if (observed.gateId === rollbackId) {
    return observed.ok && rollbackPolled(context, spec) ? 'rollback' : null;
  }
  const gate = awaitedGate(context, spec);
  if (gate === null || observed.gateId !== gate.id) return null;
  if (observed.ok) return 'pass';
  if (isConfirmGate(gate.type)) return 'hold';
  // A failed rollout gate is a failed check: it follows the Canary's onFailure. pre-rollout aborts.
  return gate.type === 'rollout' && spec.onFailure === 'Pause' ? 'pause' : 'abort';
}

/** Whether the rollback gate is polled: the Canary has rollback webhooks and analysis is not skipped. */
export function rollbackPolled(context: MachineContext, spec: CanarySpec): boolean {
  return context.revision !== null && !spec.skipAnalysis && has(spec, 'rollback');
}

function answer(observed: MachineEvent): string {
  return observed.type === 'GateResult' && observed.message !== undefined ? `: ${observed.message}` : '';
}

/** The gate answered 2xx: it is passed for this rollout; time spent waiting on a confirm gate is not held against the canary. */
export function passGate(context: MachineContext, observed: MachineEvent): Outcome {
  const gate = context.gate;
  if (gate === null) return { context, effects: [] };
  const waited = isConfirmGate(gate.type) && context.readyWaitSince !== null;
  return {
    context: {
      ...context,
      gate: null,
      gatesPassed: [...context.gatesPassed, gate.id],
      readyWaitSince: waited ? context.now : context.readyWaitSince,
    },
    effects: [event('WebhookGatePassed', `${gate.type} gate ${gate.id} passed${answer(observed)}`)],
  };
}

/** A confirm gate answered something else: the rollout keeps waiting; a new answer is said once. */
export function holdGate(context: MachineContext, observed: MachineEvent): Outcome {
  const gate = context.gate;
  if (gate === null || observed.type !== 'GateResult') return { context, effects: [] };
  const message = observed.message ?? 'not confirmed';
  if (gate.message === message) return { context, effects: [] };
  return {
    context: { ...context, gate: { ...gate, message } },
    effects: [event('WaitingForWebhook', `${gate.type} gate ${gate.id} holds the rollout: ${message}`)],
  };
}

function failure(context: MachineContext, observed: MachineEvent): string {
  const type = context.gate?.type ?? 'webhook';
  return `${type} webhook gate failed${answer(observed)}`;
}

/** pre-rollout, or a rollout gate under onFailure Abort: traffic back to primary. */
export function abortOnGate(context: MachineContext, observed: MachineEvent): Outcome {
  return endRollout(context, observed.spec, {
    outcome: 'Aborted',
    reason: 'WebhookFailed',
    message: failure(context, observed),
  });
}

/** A rollout gate under onFailure Pause: weight 0, pods kept, Paused (AnalysisFailed) until an Approval. */
export function pauseOnGate(context: MachineContext, observed: MachineEvent): Outcome {
  return pauseOnFailure(context, failure(context, observed));
}

/** A rollback webhook answered 2xx: abort, traffic back to primary. */
export function abortOnRollbackGate(context: MachineContext, observed: MachineEvent): Outcome {
  return endRollout(context, observed.spec, {
    outcome: 'Aborted',
    reason: 'RollbackRequested',
    message: `a rollback webhook asked for a rollback${answer(observed)}`,
  });
}

/** After Succeeded, Aborted or Failed: the post-rollout webhooks are told, and nothing waits for them. */
export function askPostRollout(context: MachineContext, spec: CanarySpec, phase: CanaryPhase): Outcome {
  const revision = context.revision;
  if (revision === null || !has(spec, 'post-rollout')) return { context, effects: [] };
  const effect: Effect = {
    type: 'callGate',
    gateId: gateIdFor(revision, context.rollout, 'post-rollout', context.stepIndex),
    gate: 'post-rollout',
    revision,
    step: context.stepIndex,
    phase,
  };
  return { context, effects: [effect] };
}

/** The gates the controller should call now: the awaited one and, during a rollout, the rollback gate. */
export function gatesToCall(context: MachineContext, spec: CanarySpec, phase: CanaryPhase): GateAsk[] {
  if (phase !== 'Progressing' && phase !== 'Paused') return [];
  const revision = context.revision;
  if (revision === null) return [];
  const asks: GateAsk[] = [];
  const gate = awaitedGate(context, spec);
  if (gate !== null) asks.push({ gateId: gate.id, gate: gate.type, revision, step: gate.step, phase });
  if (rollbackPolled(context, spec)) {
    const gateId = gateIdFor(revision, context.rollout, 'rollback', 0);
    asks.push({ gateId, gate: 'rollback', revision, step: context.stepIndex, phase });
  }
  return asks;
}

/** The machine's gate operations, as the chart names them (spread into `ops`). */
export const gateOps = {
  askGate: (context: MachineContext, observed: MachineEvent) => askGate(context, observed.spec),
  passGate,
  holdGate,
  abortOnGate,
  pauseOnGate,
  abortOnRollbackGate,
  askPostRollout: (context: MachineContext, observed: MachineEvent, params: { phase: CanaryPhase }) =>
    askPostRollout(context, observed.spec, params.phase),
};
