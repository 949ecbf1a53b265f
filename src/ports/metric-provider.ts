import type { PrometheusConnection } from '../api/index.ts';

/**
 * Where a query goes: a template's Prometheus connection (address, timeout, headers, bearer token
 * Secret), and the namespace whose Secrets it may read.
 */
export interface QueryTarget {
  readonly connection: PrometheusConnection;
  readonly namespace?: string;
  /**
   * The caller stops waiting when this aborts (the controller's pass lost its lease): a query not
   * yet sent is not sent, and the answer is a `cancelled` error.
   */
  readonly signal?: AbortSignal;
}

/** An instant query, evaluated at `time` (epoch ms) or at the server's now. */
export interface InstantQueryRequest extends QueryTarget {
  readonly query: string;
  readonly time?: number;
}

/** A range query from `start` to `end` (epoch ms, inclusive) every `stepMs`. */
export interface RangeQueryRequest extends QueryTarget {
  readonly query: string;
  readonly start: number;
  readonly end: number;
  readonly stepMs: number;
}

/**
 * Why a query produced no usable answer. `timeout`: no answer in time (client, Prometheus, or
 * no free query slot to that Prometheus within the timeout); `unreachable`: no connection; `http`:
 * a non-2xx status, with Prometheus' own `errorType` (`bad_data`, `execution`, ...) when the body
 * says; `badResponse`: a 2xx body that is not a Prometheus answer we can use; `secret`: the bearer
 * token could not be read; `cancelled`: the caller's signal aborted before an answer.
 */
export type QueryErrorKind = 'timeout' | 'unreachable' | 'http' | 'badResponse' | 'secret' | 'cancelled';

/** A failed query. `message` never contains a token or a secret value. */
export interface QueryError {
  readonly kind: 'error';
  readonly errorKind: QueryErrorKind;
  readonly message: string;
  readonly status?: number;
  readonly errorType?: string;
}

/** No data: an empty vector, NaN, or no series. Never a value, never an error. */
export interface NoData {
  readonly kind: 'noData';
  readonly reason: string;
}

/**
 * The answer to an instant query: exactly one of a value (a number for a scalar or a one-series
 * vector, a list for a vector with several series), no data, or an error.
 */
export type QueryOutcome =
  | {
      readonly kind: 'value';
      readonly value: number | number[];
      /** What produced the value, for people (e.g. the judge's statistics); never judged. */
      readonly detail?: string;
    }
  | NoData
  | QueryError;

/** One series of a range query; `time` in epoch ms. */
export interface RangeSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly points: readonly { readonly time: number; readonly value: number }[];
}

/** The answer to a range query. */
export type RangeOutcome = { readonly kind: 'series'; readonly series: RangeSeries[] } | NoData | QueryError;

/**
 * A metrics backend. Implementations never throw and never return an error as a value: every
 * failure is a `QueryError`.
 */
export interface MetricProvider {
  instantQuery(request: InstantQueryRequest): Promise<QueryOutcome>;
  rangeQuery(request: RangeQueryRequest): Promise<RangeOutcome>;
}
