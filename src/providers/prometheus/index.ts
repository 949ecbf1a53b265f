export { createPrometheusProvider, type PrometheusProviderOptions } from './prometheus-provider.ts';
export { PrometheusQueryFailure, parseSampleValue } from './response.ts';
