import {
  PrometheusConnectionOptions,
  PrometheusDriver,
  ResponseType,
  type QueryResult,
} from 'prometheus-query';
import { durationToMs } from '../../api/index.ts';
import type {
  MetricProvider,
  QueryError,
  QueryOutcome,
  QueryTarget,
  RangeOutcome,
  RangeSeries,
  SecretReader,
} from '../../ports/index.ts';
import {
  PrometheusQueryFailure,
  classifyHttpError,
  classifyNetworkError,
  parseSampleValue,
  parseSuccessBody,
  queryError,
  redact,
  type QueryData,
} from './response.ts';

/** How to build the Prometheus provider. */
export interface PrometheusProviderOptions {
  /** Reads `bearerTokenSecretRef`; without it, a connection that names a token is an error. */
  readonly secrets?: SecretReader;
}

interface PreparedTarget {
  readonly driver: PrometheusDriver;
  readonly timeoutMs: number;
  readonly timeout: string;
  readonly secrets: readonly string[];
}

/**
 * The `MetricProvider` backed by the Prometheus HTTP API through prometheus-query.
 *
 * prometheus-query throws plain objects, returns scalars as strings and parses `+Inf` as NaN. Its
 * response interceptors are used to validate every answer and to put sample values in a form it
 * parses correctly; every failure is classified there and comes back as a `QueryError` value.
 */
export function createPrometheusProvider(options: PrometheusProviderOptions = {}): MetricProvider {
  const drivers = new DriverCache();
  return {
    instantQuery: async (request) => {
      const prepared = await prepare(request, options.secrets, drivers);
      if (!('driver' in prepared)) return prepared;
      try {
        // Dates, not numbers: prometheus-query treats a time of 0 as "not given".
        const time = request.time === undefined ? undefined : new Date(request.time);
        const result = await prepared.driver.instantQuery(request.query, time, prepared.timeout);
        return instantOutcome(result);
      } catch (err) {
        return toQueryError(err, prepared);
      }
    },
    rangeQuery: async (request) => {
      const prepared = await prepare(request, options.secrets, drivers);
      if (!('driver' in prepared)) return prepared;
      try {
        const stepSeconds = request.stepMs / 1000;
        const result = await prepared.driver.rangeQuery(
          request.query,
          new Date(request.start),
          new Date(request.end),
          stepSeconds,
          prepared.timeout,
        );
        return rangeOutcome(result);
      } catch (err) {
        return toQueryError(err, prepared);
      }
    },
  };
}

/**
 * One prometheus-query driver (an axios instance) per address, headers and timeout: making one per
 * query cost 2% of the controller's CPU at 10,000 Canaries (docs/performance.md). A rotated token
 * is a new key; the map is emptied when it reaches its bound, so old tokens do not pile up. A query
 * that waited for a slot is sent with what is left of its timeout, which is a key of its own: under
 * queueing such queries cost a driver each, as every query did before.
 */
class DriverCache {
  static readonly MAX = 256;
  readonly #drivers = new Map<string, PrometheusDriver>();

  get(key: string, make: () => PrometheusDriver): PrometheusDriver {
    let driver = this.#drivers.get(key);
    if (driver === undefined) {
      if (this.#drivers.size >= DriverCache.MAX) this.#drivers.clear();
      driver = make();
      this.#drivers.set(key, driver);
    }
    return driver;
  }
}

async function prepare(
  target: QueryTarget,
  secrets: SecretReader | undefined,
  drivers: DriverCache,
): Promise<PreparedTarget | QueryError> {
  const { connection } = target;
  const headers: Record<string, string> = {};
  for (const header of connection.headers ?? []) headers[header.name] = header.value;
  const secretValues: string[] = [];
  if (connection.bearerTokenSecretRef) {
    const ref = {
      ...connection.bearerTokenSecretRef,
      ...(target.namespace ? { namespace: target.namespace } : {}),
    };
    const token = secrets
      ? await secrets.read(ref)
      : { ok: false as const, error: 'no Secret reader configured' };
    if (!token.ok) {
      return queryError(
        'secret',
        `cannot read the bearer token from Secret ${ref.name} key ${ref.key}: ${token.error}`,
      );
    }
    const value = token.value.trim();
    secretValues.push(value);
    headers.Authorization = `Bearer ${value}`;
  }
  const timeoutMs = durationToMs(connection.timeout);
  const key = JSON.stringify([connection.address, Object.entries(headers), timeoutMs]);
  const driver = drivers.get(key, () => {
    const options = new PrometheusConnectionOptions();
    options.endpoint = connection.address;
    options.headers = headers;
    options.timeout = timeoutMs;
    options.responseInterceptor = {
      onFulfilled: checkResponse,
      onRejected: (error: unknown) => {
        throw new PrometheusQueryFailure(classifyRejection(error, timeoutMs));
      },
    };
    return new PrometheusDriver(options);
  });
  return { driver, timeoutMs, timeout: prometheusDuration(timeoutMs), secrets: secretValues };
}

// Prometheus reads `timeout` as a float of seconds or as whole units ("30s", "1500ms"), never as
// "1.5s": whole seconds stay seconds, the rest goes in milliseconds.
function prometheusDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const whole = Math.max(1, Math.round(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

// Typed structurally so this file does not depend on axios, prometheus-query's HTTP client.
function checkResponse<R extends { data: unknown }>(response: R): R {
  const parsed = parseSuccessBody(response.data);
  if (!parsed.ok) throw new PrometheusQueryFailure(parsed.error);
  normaliseSamples(parsed.data);
  response.data = { status: 'success', data: parsed.data };
  return response;
}

// prometheus-query parses samples with parseFloat, which reads "+Inf" as NaN but "Infinity"
// correctly; rewrite the validated samples so its parsed result is right.
function normaliseSamples(data: QueryData): void {
  const canonical = (text: string): string => String(parseSampleValue(text));
  switch (data.resultType) {
    case 'scalar':
    case 'string':
      return;
    case 'vector':
      for (const series of data.result) series.value[1] = canonical(series.value[1]);
      return;
    case 'matrix':
      for (const series of data.result) for (const sample of series.values) sample[1] = canonical(sample[1]);
      return;
  }
}

function classifyRejection(error: unknown, timeoutMs: number): QueryError {
  if (error instanceof PrometheusQueryFailure) return error.failure;
  const axiosError = error as {
    response?: { status: number; statusText?: string; data?: unknown };
    code?: string;
    message?: unknown;
  };
  if (axiosError.response) {
    const { status, statusText, data } = axiosError.response;
    return classifyHttpError(status, statusText ?? '', data);
  }
  const message = typeof axiosError.message === 'string' ? axiosError.message : 'unknown network error';
  return classifyNetworkError(axiosError.code, message, timeoutMs);
}

function toQueryError(err: unknown, prepared: PreparedTarget): QueryError {
  const failure = findFailure(err);
  const error =
    failure ?? queryError('badResponse', `unexpected answer from Prometheus: ${describeThrown(err)}`);
  return { ...error, message: redact(error.message, prepared.secrets) };
}

// prometheus-query rethrows our failure wrapped in a plain object under `original`.
function findFailure(err: unknown): QueryError | undefined {
  if (err instanceof PrometheusQueryFailure) return err.failure;
  if (typeof err === 'object' && err !== null && 'original' in err) {
    const { original } = err;
    if (original instanceof PrometheusQueryFailure) return original.failure;
  }
  return undefined;
}

function describeThrown(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'error' in err) return String(err.error);
  return String(err);
}

function instantOutcome(result: QueryResult): QueryOutcome {
  switch (result.resultType) {
    case ResponseType.SCALAR: {
      const value = parseSampleValue((result.result as [number, string])[1]) ?? NaN;
      return Number.isNaN(value)
        ? { kind: 'noData', reason: 'the scalar result is NaN' }
        : { kind: 'value', value };
    }
    case ResponseType.VECTOR: {
      const values = (result.result as { value: { value: number } }[]).map((series) => series.value.value);
      if (values.length === 0) return { kind: 'noData', reason: 'empty vector: no series matched' };
      if (values.every((value) => Number.isNaN(value))) {
        return { kind: 'noData', reason: values.length === 1 ? 'the result is NaN' : 'every series is NaN' };
      }
      return { kind: 'value', value: values.length === 1 ? (values[0] ?? NaN) : values };
    }
    case ResponseType.MATRIX:
      return queryError(
        'badResponse',
        'the query returned a range vector (matrix); use an instant vector or a scalar',
      );
    case ResponseType.STRING:
      return queryError('badResponse', 'the query returned a string, not a number');
  }
}

function rangeOutcome(result: QueryResult): RangeOutcome {
  if (result.resultType !== ResponseType.MATRIX) {
    return queryError('badResponse', `a range query returned a ${result.resultType}, not a matrix`);
  }
  const raw = result.result as {
    metric: { name?: string; labels?: Record<string, string> } | null;
    values: { time: Date; value: number }[];
  }[];
  if (raw.length === 0) return { kind: 'noData', reason: 'empty matrix: no series matched' };
  const series: RangeSeries[] = raw.map((entry) => ({
    labels: {
      ...(entry.metric?.labels ?? {}),
      ...(entry.metric?.name ? { __name__: entry.metric.name } : {}),
    },
    points: entry.values.map((sample) => ({ time: sample.time.getTime(), value: sample.value })),
  }));
  return { kind: 'series', series };
}
