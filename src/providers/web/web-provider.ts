import { HEADER_VALUE, type WebRequest, type WebRunner } from '../../analysis/index.ts';
import type { QueryError, QueryErrorKind, QueryOutcome, SecretReader } from '../../ports/index.ts';
import { selectValue } from './select.ts';

/** How to build the web provider. */
export interface WebProviderOptions {
  /** Reads headers' `valueFrom.secretKeyRef`; without it, such a header is an error. */
  readonly secrets?: SecretReader;
  /** The HTTP client; tests may pass their own. Defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Largest answer read, in bytes (default 1 MiB); a larger one is an error. */
  readonly maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 1024 * 1024;

const failure = (errorKind: QueryErrorKind, message: string, status?: number): QueryError => ({
  kind: 'error',
  errorKind,
  message,
  ...(status === undefined ? {} : { status }),
});

/** What messages call the endpoint: method and origin only, so no path or query value is echoed. */
function target(request: WebRequest): string {
  try {
    return `${request.method} ${new URL(request.url).origin}`;
  } catch {
    return request.method;
  }
}

async function headersOf(
  request: WebRequest,
  secrets: SecretReader | undefined,
): Promise<{ ok: true; headers: Headers } | QueryError> {
  const headers = new Headers();
  for (const header of request.headers) {
    if ('value' in header) {
      headers.set(header.name, header.value);
      continue;
    }
    const ref = { ...header.secretKeyRef, ...(request.namespace ? { namespace: request.namespace } : {}) };
    const read = secrets
      ? await secrets.read(ref)
      : { ok: false as const, error: 'no Secret reader configured' };
    const where = `header ${header.name} from Secret ${ref.name} key ${ref.key}`;
    if (!read.ok) return failure('secret', `cannot read ${where}: ${read.error}`);
    const value = read.value.trim();
    if (!HEADER_VALUE.test(value))
      return failure('secret', `${where}: the value holds a character an HTTP header cannot carry`);
    headers.set(header.name, value);
  }
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  if (request.body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  return { ok: true, headers };
}

/** Reads the body up to `limit` bytes; undefined when it is larger. */
async function readBounded(response: Response, limit: number): Promise<string | undefined> {
  if (response.body === null) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function networkError(err: unknown, request: WebRequest, timedOut: boolean): QueryError {
  if (timedOut) return failure('timeout', `${target(request)}: no answer within ${request.timeoutMs}ms`);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown } | null)?.code;
  const why = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  return failure('unreachable', `${target(request)}: ${why}`);
}

async function answerOf(
  response: Response,
  request: WebRequest,
  maxBodyBytes: number,
): Promise<QueryOutcome> {
  const where = target(request);
  if (response.status < 200 || response.status > 299) {
    await response.body?.cancel();
    const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
    const reason = response.statusText === '' ? '' : ` ${response.statusText}`;
    return failure('http', `${where}: HTTP ${response.status}${reason}${redirect}`, response.status);
  }
  const text = await readBounded(response, maxBodyBytes);
  if (text === undefined)
    return failure('badResponse', `${where}: the answer is larger than ${maxBodyBytes} bytes`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'no content type';
    return failure('badResponse', `${where}: the answer is not JSON (${type}, ${text.length} characters)`);
  }
  const outcome = selectValue(request.jsonPath, document);
  return outcome.kind === 'error' ? { ...outcome, message: `${where}: ${outcome.message}` } : outcome;
}

/**
 * The `web` metric provider: one HTTP request per measurement, to the rendered URL only (redirects
 * are answered as errors, never followed), bounded by the metric's timeout and a body limit; the
 * number at the metric's jsonPath is the value. Never throws.
 */
export function createWebRunner(options: WebProviderOptions = {}): WebRunner {
  const send = options.fetch ?? fetch;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  return async (request) => {
    let headers: Awaited<ReturnType<typeof headersOf>>;
    try {
      headers = await headersOf(request, options.secrets);
    } catch (err) {
      // Headers refuses what a header cannot carry; rendering already refused it, so this is a bug.
      return failure('badResponse', `${target(request)}: the request's headers: ${String(err)}`);
    }
    if (!('ok' in headers)) return headers;
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, request.timeoutMs);
    try {
      const response = await send(request.url, {
        method: request.method,
        headers: headers.headers,
        redirect: 'manual',
        signal: abort.signal,
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      return await answerOf(response, request, maxBodyBytes);
    } catch (err) {
      return networkError(err, request, timedOut);
    } finally {
      clearTimeout(timer);
    }
  };
}
