import { z } from 'zod';
import type { QueryError, QueryErrorKind } from '../../ports/index.ts';

/**
 * Parsing and classification of Prometheus HTTP API answers, independent of the HTTP client.
 * See https://prometheus.io/docs/prometheus/latest/querying/api/#format-overview.
 */

/** Carries a classified failure through prometheus-query, which wraps whatever it catches. */
export class PrometheusQueryFailure extends Error {
  readonly code = 'PROMETHEUS_QUERY_FAILED';
  constructor(readonly failure: QueryError) {
    super(failure.message);
    this.name = 'PrometheusQueryFailure';
  }
}

/** Builds a query error. */
export function queryError(
  errorKind: QueryErrorKind,
  message: string,
  extra: { status?: number; errorType?: string } = {},
): QueryError {
  return { kind: 'error', errorKind, message, ...extra };
}

/**
 * Parses a sample value as Prometheus formats it: a decimal string, `+Inf`, `-Inf` or `NaN`.
 * Returns undefined for anything else (so garbage is a bad response, never a number).
 */
export function parseSampleValue(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  switch (text) {
    case '+Inf':
    case 'Inf':
    case '+Infinity':
    case 'Infinity':
      return Infinity;
    case '-Inf':
    case '-Infinity':
      return -Infinity;
    case 'NaN':
      return NaN;
    default: {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
      return Number(text);
    }
  }
}

const Sample = z.tuple([z.number(), z.string()]);
const Labels = z.record(z.string(), z.string());

/** The `data` of a successful query, by result type. */
export const QueryData = z.discriminatedUnion('resultType', [
  z.object({ resultType: z.literal('scalar'), result: Sample }),
  z.object({ resultType: z.literal('string'), result: z.tuple([z.number(), z.string()]) }),
  z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: Labels.default({}), value: Sample })),
  }),
  z.object({
    resultType: z.literal('matrix'),
    result: z.array(z.object({ metric: Labels.default({}), values: z.array(Sample) })),
  }),
]);
export type QueryData = z.infer<typeof QueryData>;

const SuccessBody = z.object({ status: z.literal('success'), data: QueryData });
const ErrorBody = z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() });

function samplesOf(data: QueryData): string[] {
  switch (data.resultType) {
    case 'scalar':
      return [data.result[1]];
    case 'string':
      return [];
    case 'vector':
      return data.result.map((series) => series.value[1]);
    case 'matrix':
      return data.result.flatMap((series) => series.values.map((sample) => sample[1]));
  }
}

/**
 * Validates a 2xx body. Returns the data, or a `badResponse` error when the body is not a
 * Prometheus success answer or holds a sample value that is not a number.
 */
export function parseSuccessBody(
  body: unknown,
): { ok: true; data: QueryData } | { ok: false; error: QueryError } {
  const parsed = SuccessBody.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      error: queryError('badResponse', `not a Prometheus query answer: ${describeBody(body)}`),
    };
  }
  const bad = samplesOf(parsed.data.data).find((text) => parseSampleValue(text) === undefined);
  if (bad !== undefined) {
    return {
      ok: false,
      error: queryError(
        'badResponse',
        `Prometheus returned a sample that is not a number: ${JSON.stringify(bad)}`,
      ),
    };
  }
  return { ok: true, data: parsed.data.data };
}

/** Classifies a non-2xx answer, keeping Prometheus' own `errorType` when the body has one. */
export function classifyHttpError(status: number, statusText: string, body: unknown): QueryError {
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) {
    const { errorType, error } = parsed.data;
    // Prometheus answers 503 with errorType "timeout" when the query exceeds its timeout.
    const kind: QueryErrorKind = errorType === 'timeout' ? 'timeout' : 'http';
    return queryError(kind, `Prometheus returned HTTP ${status} (${errorType}): ${error}`, {
      status,
      errorType,
    });
  }
  const text = statusText === '' ? '' : ` ${statusText}`;
  return queryError(
    'http',
    `HTTP ${status}${text} from Prometheus; the body is not a Prometheus answer (${describeBody(body)})`,
    {
      status,
    },
  );
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Classifies a failure without an HTTP answer (connection refused, DNS, client timeout). */
export function classifyNetworkError(
  code: string | undefined,
  message: string,
  timeoutMs: number,
): QueryError {
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') {
    return queryError('timeout', `no answer from Prometheus within ${timeoutMs}ms`);
  }
  const detail = code !== undefined && UNREACHABLE_CODES.has(code) ? code : message;
  return queryError('unreachable', `cannot reach Prometheus: ${detail}`);
}

function describeBody(body: unknown): string {
  if (typeof body === 'string') {
    const text = body.replace(/\s+/g, ' ').trim();
    return text === '' ? 'empty body' : `"${text.slice(0, 80)}${text.length > 80 ? '…' : ''}"`;
  }
  if (body === null || body === undefined) return 'empty body';
  const json = JSON.stringify(body);
  return json.length > 120 ? `${json.slice(0, 120)}…` : json;
}

/** Replaces every occurrence of each secret with `*****`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('*****');
  return out;
}
