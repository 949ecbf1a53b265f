import type { Canary } from '../api/index.ts';
import { durationToMs } from '../api/index.ts';
import type { Webhook, WebhookResult, WebhookStatus } from '../api/webhooks.ts';

/**
 * Webhook calls for the gates (src/controller/gates.ts keeps their record in status): one call with
 * its retries, timeout and redaction, and the calls a controller process has under way.
 */

/** What one call of one webhook came to, retries included. */
export interface CallOutcome {
  readonly result: Exclude<WebhookResult, 'Pending' | 'Cancelled'>;
  readonly httpStatus?: number;
  readonly attempts: number;
  readonly message: string;
}

/** The JSON body a webhook receives. */
export interface GatePayload {
  readonly name: string;
  readonly namespace: string;
  readonly webhook: string;
  readonly type: WebhookStatus['type'];
  readonly phase: string;
  readonly revision: string;
  readonly step: number;
  readonly gateId: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Options of one call; `fetch` and the backoff are injectable for tests. */
export interface CallOptions {
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** The first retry waits this long, doubling up to 2 s (default 200 ms). */
  readonly backoffMs?: number;
}

/** A webhook URL as status, Events and logs may show it: origin and path, never query or credentials. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The payload of a gate call: the Canary, its revision, step and phase, the gate type and the metadata. */
export function gatePayload(canary: Canary, webhook: Webhook, entry: WebhookStatus): GatePayload {
  return {
    name: canary.metadata.name,
    namespace: canary.metadata.namespace ?? 'default',
    webhook: webhook.name,
    type: webhook.type,
    phase: entry.phase,
    revision: entry.revision,
    step: entry.step ?? 0,
    gateId: entry.gateId,
    metadata: webhook.metadata ?? {},
  };
}

const retryable = (status: number) => status === 429 || status >= 500;

function reasonOf(err: unknown, timedOut: boolean, timeout: string): string {
  if (timedOut) return `timed out after ${timeout}`;
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code === undefined ? 'unreachable' : `unreachable (${code})`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

type Attempt = { kind: 'answer'; status: number } | { kind: 'error'; reason: string };

/** fetch refuses a URL with credentials: they go in a Basic Authorization header instead. */
function target(url: string): { url: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url, headers: {} };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return {
    url: parsed.toString(),
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
  };
}

async function attempt(webhook: Webhook, body: string, options: CallOptions): Promise<Attempt> {
  const timeout = AbortSignal.timeout(durationToMs(webhook.timeout));
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const { url, headers } = target(webhook.url);
    const response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal,
      redirect: 'manual',
    });
    // The answer's body is not read: only its status decides.
    await response.body?.cancel().catch(() => undefined);
    return { kind: 'answer', status: response.status };
  } catch (err) {
    return { kind: 'error', reason: reasonOf(err, timeout.aborted, webhook.timeout) };
  }
}

function outcomeOf(webhook: Webhook, last: Attempt, attempts: number): CallOutcome {
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  if (last.kind === 'error') {
    return { result: 'Error', attempts, message: `${webhook.name}: ${last.reason}${tries}` };
  }
  const ok = last.status >= 200 && last.status < 300;
  return {
    result: ok ? 'Succeeded' : 'Failed',
    httpStatus: last.status,
    attempts,
    message: `${webhook.name}: HTTP ${last.status}${tries}`,
  };
}

/**
 * POSTs the payload to the webhook: a timeout, a network error, a 429 or a 5xx is tried again up
 * to `retries` times with a doubling backoff; any other answer is final. Never throws; the message
 * never contains the URL.
 */
export async function callWebhook(
  webhook: Webhook,
  payload: GatePayload,
  options: CallOptions = {},
): Promise<CallOutcome> {
  const body = JSON.stringify(payload);
  let last: Attempt = { kind: 'error', reason: 'not called' };
  let attempts = 0;
  for (let retry = 0; retry <= webhook.retries; retry += 1) {
    if (options.signal?.aborted) break;
    if (retry > 0)
      await sleep(Math.min(2_000, (options.backoffMs ?? 200) * 2 ** (retry - 1)), options.signal);
    attempts += 1;
    last = await attempt(webhook, body, options);
    if (last.kind === 'answer' && !retryable(last.status)) break;
  }
  return outcomeOf(webhook, last, attempts);
}

interface InFlight {
  readonly controller: AbortController;
  readonly startedAt: number;
  outcome?: CallOutcome;
}

/**
 * The calls under way, per controller process. It outlives a pass; a restarted controller starts
 * with none and calls again whatever status still shows Pending or due.
 */
export class GateCalls {
  readonly #calls = new Map<string, InFlight>();
  readonly #options: CallOptions;

  constructor(options: CallOptions = {}) {
    this.#options = options;
  }

  /** Starts a call in the background. */
  start(key: string, webhook: Webhook, payload: GatePayload, now: number): void {
    const controller = new AbortController();
    const call: InFlight = { controller, startedAt: now };
    this.#calls.set(key, call);
    void callWebhook(webhook, payload, { ...this.#options, signal: controller.signal }).then((outcome) => {
      call.outcome = outcome;
    });
  }

  /** Finished calls (removed), and whether others under the prefix are still running. */
  take(prefix: string): {
    finished: Map<string, { outcome: CallOutcome; startedAt: number }>;
    running: string[];
  } {
    const finished = new Map<string, { outcome: CallOutcome; startedAt: number }>();
    const running: string[] = [];
    for (const [key, call] of this.#calls) {
      if (!key.startsWith(prefix)) continue;
      if (call.outcome === undefined) {
        running.push(key);
        continue;
      }
      finished.set(key, { outcome: call.outcome, startedAt: call.startedAt });
      this.#calls.delete(key);
    }
    return { finished, running };
  }

  has(key: string): boolean {
    return this.#calls.has(key);
  }

  /** Stops a call whose answer nobody waits for any more. */
  cancel(key: string): void {
    this.#calls.get(key)?.controller.abort();
    this.#calls.delete(key);
  }

  /** Keys under way under the prefix. */
  running(prefix: string): string[] {
    return [...this.#calls.keys()].filter((key) => key.startsWith(prefix));
  }
}

const processes = new WeakMap<object, GateCalls>();

/**
 * The calls of one controller process. Keyed by its Kubernetes client, the one dependency a
 * controller keeps for its whole life (the pass's deps object is rebuilt per term).
 */
export function gateCallsFor(owner: object): GateCalls {
  let calls = processes.get(owner);
  if (!calls) {
    calls = new GateCalls();
    processes.set(owner, calls);
  }
  return calls;
}
