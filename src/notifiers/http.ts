import type { Clock, PostOutcome } from '../ports/index.ts';

/** One JSON POST to a receiver. */
export interface JsonPost {
  readonly url: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Strings that must never appear in a reason (the URL, tokens); the URL is always one. */
  readonly secrets?: readonly string[];
}

const MAX_REASON_BODY = 120;

/**
 * Replaces every secret (and the path and query of every URL among them, where tokens live) with
 * `[redacted]`. Used on anything a receiver answers before it reaches a log, an Event or status.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const parts = new Set<string>();
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    parts.add(secret);
    try {
      const url = new URL(secret);
      const rest = `${url.pathname}${url.search}`;
      if (rest.length > 1) parts.add(rest);
      for (const segment of url.pathname.split('/')) if (segment.length >= 8) parts.add(segment);
    } catch {
      // Not a URL: the whole value is enough.
    }
  }
  let out = text;
  for (const part of [...parts].sort((a, b) => b.length - a.length)) out = out.split(part).join('[redacted]');
  return out;
}

/**
 * `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3);
 * undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Names a network failure by its code only: an error's message may quote the URL. */
function networkReason(err: unknown, timedOut: boolean): string {
  if (timedOut) return 'timed out';
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code !== undefined) return `network error ${code}`;
  return err instanceof Error && err.name === 'AbortError' ? 'aborted' : 'network error';
}

async function bodySnippet(response: Response, secrets: readonly string[]): Promise<string> {
  try {
    const text = (await response.text()).replace(/\s+/g, ' ').trim();
    if (text === '') return '';
    const cut = text.length > MAX_REASON_BODY ? `${text.slice(0, MAX_REASON_BODY)}…` : text;
    return `: ${redact(cut, secrets)}`;
  } catch {
    return '';
  }
}

/**
 * Posts JSON once and classifies the answer: 2xx delivered; 429 (with its Retry-After), 5xx, a
 * timeout or a network error retry; any other status is rejected at once. Never throws.
 */
export async function postJson(post: JsonPost): Promise<PostOutcome> {
  const secrets = [post.url, ...(post.secrets ?? [])];
  const controller = new AbortController();
  let timedOut = false;
  const stopTimer = new AbortController();
  void post.clock.sleep(post.timeoutMs, stopTimer.signal).then(() => {
    if (stopTimer.signal.aborted) return;
    timedOut = true;
    controller.abort();
  });
  const onAbort = (): void => {
    controller.abort();
  };
  post.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetch(post.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...post.headers },
      body: post.body,
      signal: controller.signal,
      redirect: 'manual',
    });
    const { status } = response;
    if (status >= 200 && status < 300) {
      await response.body?.cancel();
      return { kind: 'delivered', status };
    }
    const reason = `HTTP ${status}${await bodySnippet(response, secrets)}`;
    if (status === 429) {
      const after = retryAfterMs(response.headers.get('retry-after'), post.clock.now());
      return { kind: 'retry', status, reason, ...(after === undefined ? {} : { retryAfterMs: after }) };
    }
    if (status >= 500) return { kind: 'retry', status, reason };
    return { kind: 'rejected', status, reason };
  } catch (err) {
    return { kind: 'retry', reason: networkReason(err, timedOut) };
  } finally {
    stopTimer.abort();
    post.signal.removeEventListener('abort', onAbort);
  }
}
