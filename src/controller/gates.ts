import type { Canary } from '../api/index.ts';
import type { Webhook, WebhookStatus } from '../api/webhooks.ts';
import { webhookNames, type CanaryEvent, type Effect, type GateAsk } from '../machine/index.ts';
import type { PassDraft, PendingEvent } from './act.ts';
import { gatePayload, type CallOutcome, type GateCalls } from './webhook-calls.ts';

// The passes get the process's calls through here (reconcile.ts).
export { gateCallsFor } from './webhook-calls.ts';

/**
 * Webhook gates, the controller's half (docs/state-machine.md, "Webhook gates"). The machine asks
 * for a gate (`callGate`) or lists the gates it waits on (`MachineStatus.gates`); this adapter calls
 * the webhooks in the background and records each answer in `status.webhooks`; the next pass turns
 * the answers into `GateResult` events. A pass never waits for a webhook: a hung or slow gate never
 * delays an abort, and a call that has not answered moves nothing.
 */

/** How often a confirm gate that was not confirmed, or a rollback gate that did not ask, is called again. */
export const GATE_RECHECK_MS = 10_000;
/** How soon a pass looks again while a call is under way. */
export const GATE_POLL_MS = 1_000;
/** At most this many entries stay in status.webhooks (the awaited ones are the newest). */
const MAX_ENTRIES = 20;

const prefixOf = (canary: Canary) => `${canary.metadata.namespace ?? 'default'}/${canary.metadata.name}/`;
const keyOf = (canary: Canary, entry: Pick<WebhookStatus, 'gateId' | 'name'>) =>
  `${prefixOf(canary)}${entry.gateId}/${entry.name}`;
const same = (a: Pick<WebhookStatus, 'gateId' | 'name'>, b: Pick<WebhookStatus, 'gateId' | 'name'>) =>
  a.gateId === b.gateId && a.name === b.name;

function webhookOf(canary: Canary, entry: WebhookStatus): Webhook | undefined {
  return (canary.spec.webhooks ?? []).find((w) => w.name === entry.name && w.type === entry.type);
}

/** Pending entries for each webhook of an asked gate; an entry that exists is kept (a restart asks again). */
function withAsk(canary: Canary, entries: readonly WebhookStatus[], ask: GateAsk): WebhookStatus[] {
  const added = webhookNames(canary.spec, ask.gate)
    .filter((name) => !entries.some((entry) => same(entry, { gateId: ask.gateId, name })))
    .map((name): WebhookStatus => ({
      gateId: ask.gateId,
      name,
      type: ask.gate,
      revision: ask.revision,
      step: ask.step,
      phase: ask.phase,
      result: 'Pending',
    }));
  return added.length === 0 ? [...entries] : [...entries, ...added];
}

function bounded(entries: readonly WebhookStatus[]): WebhookStatus[] {
  return entries.slice(-MAX_ENTRIES);
}

/** A `callGate` effect: the gate's webhooks get Pending entries, called once the pass has decided. */
export function recordGateAsk(
  canary: Canary,
  effect: Extract<Effect, { type: 'callGate' }>,
  draft: PassDraft,
): void {
  const { type: _effect, ...ask } = effect;
  draft.status = { ...draft.status, webhooks: bounded(withAsk(canary, draft.status.webhooks ?? [], ask)) };
}

function failureEvent(
  entry: WebhookStatus,
  outcome: CallOutcome,
  previous: WebhookStatus,
): PendingEvent | undefined {
  if (outcome.result === 'Succeeded') return undefined;
  // A rollback webhook that does not ask for a rollback is the normal case.
  if (entry.type === 'rollback') return undefined;
  // A confirm gate asked again with the same answer is said once.
  if (previous.result === outcome.result && previous.httpStatus === outcome.httpStatus) return undefined;
  return {
    type: 'Warning',
    reason: 'WebhookCallFailed',
    message: `${entry.type} webhook ${outcome.message} for ${entry.revision} (gate ${entry.gateId})`,
  };
}

function applyOutcome(entry: WebhookStatus, outcome: CallOutcome, startedAt: number): WebhookStatus {
  const { httpStatus: _h, ...rest } = entry;
  return {
    ...rest,
    result: outcome.result,
    ...(outcome.httpStatus === undefined ? {} : { httpStatus: outcome.httpStatus }),
    attempts: outcome.attempts,
    lastCalledAt: new Date(startedAt).toISOString(),
    message: outcome.message,
  };
}

function resultEvent(
  canary: Canary,
  ask: GateAsk,
  entries: readonly WebhookStatus[],
  now: number,
): CanaryEvent | undefined {
  // A webhook removed from the spec is not waited for.
  const names = webhookNames(canary.spec, ask.gate);
  const mine = entries.filter((entry) => entry.gateId === ask.gateId && names.includes(entry.name));
  if (mine.length === 0) return undefined;
  if (ask.gate === 'rollback') {
    const asked = mine.filter((entry) => entry.result === 'Succeeded');
    if (asked.length === 0) return undefined;
    return { type: 'GateResult', gateId: ask.gateId, ok: true, message: messages(asked), now };
  }
  if (mine.some((entry) => entry.result === 'Pending' || entry.result === 'Cancelled')) return undefined;
  const failing = mine.filter((entry) => entry.result !== 'Succeeded');
  const ok = failing.length === 0;
  return { type: 'GateResult', gateId: ask.gateId, ok, message: messages(ok ? mine : failing), now };
}

function messages(entries: readonly WebhookStatus[]): string {
  return entries.map((entry) => entry.message ?? entry.name).join('; ');
}

/**
 * Before the machine decides: answers that arrived since the last pass go into the draft's status
 * (a failed call also as a Warning Event), and each gate the machine waits on whose webhooks have
 * all answered becomes a GateResult (level-triggered: given on every pass until the machine stops
 * waiting, as analysis verdicts are).
 */
export function settleGates(
  input: { canary: Canary; draft: PassDraft; asks: readonly GateAsk[] | undefined; now: number },
  calls: GateCalls,
): CanaryEvent[] {
  const { canary, draft, now } = input;
  const { finished } = calls.take(prefixOf(canary));
  const current = draft.status.webhooks;
  if (current === undefined) return [];
  const webhooks = current.map((entry) => {
    const done = finished.get(keyOf(canary, entry));
    if (!done) return entry;
    const event = failureEvent(entry, done.outcome, entry);
    if (event) draft.events.push(event);
    return applyOutcome(entry, done.outcome, done.startedAt);
  });
  draft.status = { ...draft.status, webhooks };
  return (input.asks ?? []).flatMap((ask) => resultEvent(canary, ask, webhooks, now) ?? []);
}

const RECHECKED = new Set<WebhookStatus['type']>(['confirm-rollout', 'confirm-promotion', 'rollback']);

function due(entry: WebhookStatus, asked: boolean, now: number): boolean {
  if (entry.result === 'Pending') return asked || entry.type === 'post-rollout';
  if (entry.result === 'Cancelled') return asked;
  if (!asked || !RECHECKED.has(entry.type)) return false;
  if (entry.type !== 'rollback' && entry.result === 'Succeeded') return false;
  const last = Date.parse(entry.lastCalledAt ?? '');
  return !Number.isFinite(last) || now - last >= GATE_RECHECK_MS;
}

function nextRecheck(
  entries: readonly WebhookStatus[],
  asked: ReadonlySet<string>,
  now: number,
): number | undefined {
  const times = entries
    .filter((entry) => asked.has(entry.gateId) && RECHECKED.has(entry.type) && entry.result !== 'Pending')
    .map((entry) => Date.parse(entry.lastCalledAt ?? '') + GATE_RECHECK_MS - now)
    .filter((ms) => Number.isFinite(ms) && ms > 0);
  return times.length === 0 ? undefined : Math.min(...times);
}

/**
 * After the machine decided and its effects ran: the gates it waits on (and post-rollout gates not
 * called yet) are called in the background; calls nobody waits for are stopped and their entries
 * Cancelled; the pass is asked to look again soon while a call is under way.
 */
export function launchGates(
  input: { canary: Canary; asks: readonly GateAsk[]; now: number; draft: PassDraft },
  calls: GateCalls,
): void {
  const { canary, asks, now, draft } = input;
  let entries = draft.status.webhooks ?? [];
  for (const ask of asks) entries = withAsk(canary, entries, ask);
  const asked = new Set(asks.map((ask) => ask.gateId));
  entries = cancelUnwaited(canary, entries, asked, calls);
  for (const entry of entries) {
    const key = keyOf(canary, entry);
    const webhook = webhookOf(canary, entry);
    if (!webhook || calls.has(key) || !due(entry, asked.has(entry.gateId), now)) continue;
    calls.start(key, webhook, gatePayload(canary, webhook, entry), now);
  }
  if (entries.length > 0 || draft.status.webhooks !== undefined) {
    draft.status = { ...draft.status, webhooks: bounded(entries) };
  }
  const waits = [
    calls.running(prefixOf(canary)).length > 0 ? GATE_POLL_MS : undefined,
    nextRecheck(entries, asked, now),
  ].filter((ms) => ms !== undefined);
  if (waits.length > 0) draft.requeueAfterMs = Math.min(draft.requeueAfterMs ?? Infinity, ...waits);
}

/** Calls nobody waits for any more are stopped; their Pending entries say so. */
function cancelUnwaited(
  canary: Canary,
  entries: readonly WebhookStatus[],
  asked: ReadonlySet<string>,
  calls: GateCalls,
): WebhookStatus[] {
  const waited = (entry: WebhookStatus) => asked.has(entry.gateId) || entry.type === 'post-rollout';
  for (const key of calls.running(prefixOf(canary))) {
    const entry = entries.find((e) => keyOf(canary, e) === key);
    if (!entry || !waited(entry)) calls.cancel(key);
  }
  return entries.map((entry) =>
    waited(entry) || entry.result !== 'Pending'
      ? entry
      : { ...entry, result: 'Cancelled', message: `${entry.name}: not answered before the rollout moved on` },
  );
}
