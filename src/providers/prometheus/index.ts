export { createPrometheusProvider, type PrometheusProviderOptions } from './prometheus-provider.ts';
export {
  DEFAULT_PROMETHEUS_CONCURRENCY,
  DEFAULT_QUERY_TICK_MS,
  createQueryScheduler,
  prometheusLabel,
  type QueryObserver,
  type QueryResult,
  type QuerySchedulerOptions,
} from './query-scheduler.ts';
export { PrometheusQueryFailure, parseSampleValue } from './response.ts';
