import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../../src/kube/index.ts';
import { inNamespace, loadManifests, withPrometheus } from '../../../src/sim/examples.ts';

/** The fixed configuration every breach→safe trial runs with (printed with the figures). */
export interface BreachConfig {
  /** Prometheus scrape interval (ms); the stack is started with it. */
  readonly scrapeIntervalMs: number;
  /** The metric's measurement interval (ms). */
  readonly measurementIntervalMs: number;
  /** The rate() window passed to the template as `window`. */
  readonly window: string;
  /** Measurements the analysis would take if nothing failed: large, so it is still running at t0. */
  readonly count: number;
  /** Failed measurements tolerated: 0, so the first failing measurement aborts. */
  readonly failureLimit: number;
  /** Canary weight while under analysis. */
  readonly canaryWeight: number;
  /** Requests per second the load generator sends to the service (both versions). */
  readonly rps: number;
  /** The bad behaviour switched on at t0. */
  readonly errorRate: number;
}

export const BREACH_CONFIG: BreachConfig = {
  scrapeIntervalMs: 1_000,
  measurementIntervalMs: 2_000,
  window: '10s',
  count: 1_000,
  failureLimit: 0,
  canaryWeight: 50,
  rps: 100,
  errorRate: 0.2,
};

/** Index of the analysis step in the trial's Canary (the step t0 falls in). */
export const ANALYSIS_STEP = 2;

const repo = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/**
 * The trial's objects in `ns`: the shipped istio-success-rate template pointed at the stack's
 * Prometheus (interval, count and failureLimit overridden; query and condition unchanged), the
 * example podinfo Deployment and VirtualService, and the example Canary with its steps replaced by
 * setWeight → pause 5 s → analysis (success rate only) → pause.
 */
export function trialObjects(ns: string, prometheusUrl: string, config: BreachConfig): KubeObject[] {
  const [shipped] = loadManifests(repo('analysis-templates/istio-success-rate.yaml'));
  if (!shipped) throw new Error('analysis-templates/istio-success-rate.yaml is empty');
  const template = withPrometheus(shipped, {
    address: prometheusUrl,
    interval: `${config.measurementIntervalMs / 1000}s`,
    count: config.count,
  });
  for (const metric of (template.spec as { metrics: { failureLimit?: number }[] }).metrics)
    metric.failureLimit = config.failureLimit;
  const examples = loadManifests(repo('docs/examples/podinfo.yaml'), repo('docs/examples/canary.yaml'));
  const canary = examples.find((object) => object.kind === 'Canary');
  if (!canary) throw new Error('docs/examples/canary.yaml has no Canary');
  const spec = canary.spec as Record<string, unknown>;
  spec.steps = [
    { setWeight: config.canaryWeight },
    // Prometheus must hold a few scrapes of the canary before the first measurement, or it has no data.
    { pause: { duration: '5s' } },
    {
      analysis: {
        templates: [{ templateName: 'istio-success-rate' }],
        args: [
          { name: 'namespace', value: ns },
          { name: 'workload', value: 'podinfo' },
          { name: 'window', value: config.window },
        ],
      },
    },
    { pause: {} },
  ];
  spec.abortScaleDownDelaySeconds = 1;
  return inNamespace([template, ...examples], ns);
}
