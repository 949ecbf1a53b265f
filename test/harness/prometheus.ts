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
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await response.json()) as {
      data?: { resultType: string; result: { value: [number, string] }[] | [number, string] };
    };
    const result = body.data?.result;
    const text =
      body.data?.resultType === 'scalar'
        ? (result as [number, string])[1]
        : (result as { value: [number, string] }[] | undefined)?.[0]?.value[1];
    if (text !== undefined) {
      const value = Number(text);
      last = text;
      if (accept(value)) return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${query} (last value: ${last})`);
}
