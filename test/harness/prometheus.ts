/**
 * The real-Prometheus harness for tests. Tests skip with a clear message when the binary is
 * missing, except in CI (CI=true), where a missing binary fails the suite.
 */
export {
  freePort,
  prometheusAvailable,
  prometheusBinary,
  startPrometheus,
  type RunningPrometheus,
  type StartPrometheusOptions,
} from '../../src/sim/prometheus.ts';
import { prometheusAvailable } from '../../src/sim/prometheus.ts';
import { poll } from '../support/index.ts';

/**
 * Why the Prometheus tests must skip, or undefined when they can run. Throws when CI=true and
 * the binary is missing: in CI these tests must run.
 */
export function prometheusSkipReason(): string | undefined {
  if (prometheusAvailable()) return undefined;
  const message =
    'no prometheus binary (looked at $PROMETHEUS_BIN, /usr/bin/prometheus and PATH); install it (Debian: apt-get install prometheus)';
  if (process.env.CI === 'true') throw new Error(`CI=true but ${message}`);
  console.warn(`skipping real-Prometheus tests: ${message}`);
  return message;
}

/** Polls an instant query until `accept` holds for its first value; returns that value. */
export async function waitForValue(
  url: string,
  query: string,
  accept: (value: number) => boolean,
  timeoutMs = 20_000,
): Promise<number> {
  let last = 'no answer';
  return poll(
    async () => {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
      const body = (await response.json()) as {
        data?: { resultType: string; result: { value: [number, string] }[] | [number, string] };
      };
      const result = body.data?.result;
      const text =
        body.data?.resultType === 'scalar'
          ? (result as [number, string])[1]
          : (result as { value: [number, string] }[] | undefined)?.[0]?.value[1];
      if (text === undefined) return undefined;
      last = text;
      const value = Number(text);
      return accept(value) ? value : undefined;
    },
    query,
    { timeoutMs, intervalMs: 200, detail: () => `last value: ${last}` },
  );
}
