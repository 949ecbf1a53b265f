import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../kube/index.ts';
import { inNamespace, loadManifests, withPrometheus } from '../examples.ts';
import type { Stack } from '../stack.ts';
import { DemoError, pause } from './errors.ts';

/** The repository's root, found from this file so the demo runs from any working directory. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How often the demo's analyses measure, and how many measurements each takes. */
export const DEMO_MEASUREMENT = { interval: '2s', count: 3 } as const;

/** The example's objects, ready for the demo namespace: templates, the Deployment, its VirtualService, the Canary. */
export function demoManifests(options: { namespace: string; prometheusUrl: string }): KubeObject[] {
  const templates = loadManifests(`${ROOT}analysis-templates`).map((template) =>
    withPrometheus(template, { address: options.prometheusUrl, ...DEMO_MEASUREMENT }),
  );
  const examples = loadManifests(`${ROOT}docs/examples/podinfo.yaml`, `${ROOT}docs/examples/canary.yaml`);
  return inNamespace([...templates, ...examples], options.namespace);
}

/** Total request rate Prometheus sees in a namespace, or 0 without data. */
async function trafficRate(prometheusUrl: string, namespace: string, signal: AbortSignal): Promise<number> {
  const query = `sum(rate(istio_requests_total{destination_workload_namespace="${namespace}"}[10s]))`;
  try {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`, {
      signal,
    });
    const body = (await response.json()) as { data?: { result?: { value?: [number, string] }[] } };
    return Number(body.data?.result?.[0]?.value?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Waits until Prometheus has scraped traffic for the namespace. Right after start it needs a few
 * seconds to find its target; an analysis before that would be Inconclusive for lack of data.
 */
export async function waitForTraffic(options: {
  prometheusUrl: string;
  namespace: string;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if ((await trafficRate(options.prometheusUrl, options.namespace, options.signal)) > 0) return;
    await pause(250, options.signal);
  }
  throw new DemoError(
    'Timeout',
    `Prometheus (${options.prometheusUrl}) saw no traffic in namespace ${options.namespace} within ${Math.round(options.timeoutMs / 1000)}s`,
  );
}

/** Puts the example in the stack: namespace, templates and manifests, load on the service, a controller. */
export async function installDemo(stack: Stack, options: { namespace: string; rps: number }): Promise<void> {
  const prometheusUrl = stack.prometheus?.url;
  if (prometheusUrl === undefined) throw new Error('the demo needs the stack started with Prometheus');
  await stack.namespace(options.namespace);
  await stack.apply(demoManifests({ namespace: options.namespace, prometheusUrl }));
  await stack.addMesh({ namespace: options.namespace, host: 'podinfo', rps: options.rps });
  stack.startController({ namespace: options.namespace });
}
