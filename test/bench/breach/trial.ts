import { setTimeout as sleep } from 'node:timers/promises';
import type { AnalysisRunStatus, CanaryStatus, MeasurementStatus } from '../../../src/api/index.ts';
import { ResourceCache, type KubeObject } from '../../../src/kube/index.ts';
import type { Stack } from '../../../src/sim/stack.ts';
import { ANALYSIS_STEP, trialObjects, type BreachConfig } from './manifests.ts';
import { errorScrapes, scrapeHealth } from './scrapes.ts';

/**
 * A trial that failed before t0 (the canary never became healthy under analysis): no figure was
 * taken, so the run may be repeated in a fresh namespace. Failures after t0 are never retried.
 */
export class SetupError extends Error {
  readonly code = 'SetupFailed';
}

/** One breach→safe trial. Times in ms; `at*` fields are relative to t0 on the wall clock. */
export interface TrialResult {
  readonly ns: string;
  /** Random wait between a passing measurement being seen and t0. */
  readonly delayMs: number;
  /** t0 → the VirtualService watch sees canary weight 0 (monotonic clock). */
  readonly breachToSafeMs: number;
  /** The failing measurement's finishedAt (status) → the VirtualService watch sees weight 0. */
  readonly overheadMs: number;
  readonly atFirstErrorScrape: number | undefined;
  readonly atSecondErrorScrape: number | undefined;
  readonly atMeasurementStart: number;
  readonly atMeasurementEnd: number;
  readonly atSafe: number;
  /** Measurements that started after t0 and still passed (the rate() window had not seen errors yet). */
  readonly passedAfterBreach: number;
  /** The failing measurement's value (success rate). */
  readonly failingValue: string;
}

const CANARY = 'podinfo';
const TIMEOUT_MS = 60_000;

function canaryWeightOf(vs: KubeObject): number | undefined {
  const http = (vs.spec as { http?: { route?: { destination: { host: string }; weight?: number }[] }[] })
    .http;
  const route = http?.[0]?.route?.find((r) => r.destination.host === `${CANARY}-canary`);
  return route === undefined ? undefined : (route.weight ?? 0);
}

/**
 * Resolves with the first value `read` returns (not undefined) for the cache's objects, now or after
 * a change; rejects when `read` throws (a state the wait can no longer end well from) or on timeout.
 */
function when<T>(
  cache: ResourceCache,
  what: string,
  read: (objects: KubeObject[]) => T | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const check = (): void => {
      let value: T | undefined;
      try {
        value = read(cache.list());
      } catch (err) {
        clearTimeout(timer);
        stop();
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (value === undefined) return;
      clearTimeout(timer);
      stop();
      resolve(value);
    };
    const timer = setTimeout(() => {
      stop();
      const last = JSON.stringify(cache.list().map((o) => o.status ?? o.spec));
      reject(
        new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what}; last seen: ${last.slice(0, 2_000)}`),
      );
    }, TIMEOUT_MS);
    const stop = cache.onChange(() => {
      check();
    });
    check();
  });
}

const statusOf = (objects: KubeObject[]): CanaryStatus | undefined =>
  objects.find((o) => o.metadata.name === CANARY)?.status as CanaryStatus | undefined;

function stepRun(status: CanaryStatus | undefined): AnalysisRunStatus | undefined {
  return status?.analysis?.findLast((run) => run.kind === 'Step' && run.step === ANALYSIS_STEP);
}

function measurementsOf(run: AnalysisRunStatus | undefined): MeasurementStatus[] {
  return run?.metrics.find((m) => m.name === 'success-rate')?.measurements ?? [];
}

/** Healthy and under analysis: at the analysis step, weight > 0, two passing measurements and none failing. */
function healthyUnderAnalysis(status: CanaryStatus | undefined, weight: number): boolean {
  const run = stepRun(status);
  const measurements = measurementsOf(run);
  return (
    status?.phase === 'Progressing' &&
    status.currentStepIndex === ANALYSIS_STEP &&
    status.canaryWeight === weight &&
    run?.phase === 'Running' &&
    measurements.length >= 2 &&
    measurements.every((m) => m.phase === 'Successful')
  );
}

interface Watches {
  canaries: ResourceCache;
  virtualServices: ResourceCache;
}

async function watch(stack: Stack, ns: string): Promise<Watches> {
  const common = { client: stack.client, namespace: ns };
  const canaries = new ResourceCache({ ...common, apiVersion: 'serin.dev/v1alpha1', kind: 'Canary' });
  const virtualServices = new ResourceCache({
    ...common,
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
  });
  canaries.start();
  virtualServices.start();
  await Promise.all([canaries.synced, virtualServices.synced]);
  return { canaries, virtualServices };
}

/** Brings a fresh namespace to a healthy canary under analysis at the configured weight. */
async function toHealthyCanary(
  stack: Stack,
  ns: string,
  watches: Watches,
  config: BreachConfig,
): Promise<void> {
  await when(watches.canaries, 'phase Idle', (objects) =>
    statusOf(objects)?.phase === 'Idle' ? true : undefined,
  );
  await stack.client.jsonPatch({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: CANARY }, [
    {
      op: 'replace',
      path: '/spec/template/spec/containers/0/image',
      value: 'ghcr.io/stefanprodan/podinfo:6.7.1',
    },
  ]);
  await when(watches.canaries, 'a healthy canary under analysis', (objects) => {
    const status = statusOf(objects);
    if (status?.phase === 'Paused' || status?.phase === 'Aborted' || status?.phase === 'Failed')
      throw new Error(`the canary went ${status.phase} before t0: ${status.message ?? ''}`);
    return healthyUnderAnalysis(status, config.canaryWeight) ? true : undefined;
  });
  await when(watches.virtualServices, `canary weight ${config.canaryWeight}`, (objects) =>
    objects.some((vs) => canaryWeightOf(vs) === config.canaryWeight) ? true : undefined,
  );
}

interface Breach {
  t0: number;
  t0Wall: number;
  t1: number;
  t1Wall: number;
}

/** Switches the canary's pods to failing at t0 and waits for the watch to see canary weight 0 (t1). */
async function breach(stack: Stack, ns: string, watches: Watches, config: BreachConfig): Promise<Breach> {
  const app = stack.workloads.app(ns, CANARY);
  if (!app) throw new Error(`no app runs for ${ns}/${CANARY}`);
  let t1 = 0;
  let t1Wall = 0;
  // Stamped inside the watch handler, before anything else runs, so the waiter's scheduling is not timed.
  const stamp = watches.virtualServices.onChange(({ object }) => {
    if (t1 === 0 && canaryWeightOf(object) === 0) {
      t1 = performance.now();
      t1Wall = Date.now();
    }
  });
  const t0 = performance.now();
  const t0Wall = Date.now();
  stack.workloads.setBehaviour(ns, CANARY, { ...app.behaviour, errorRate: config.errorRate });
  try {
    await when(watches.virtualServices, 'canary weight 0', () => (t1 === 0 ? undefined : true));
  } finally {
    stamp();
  }
  return { t0, t0Wall, t1, t1Wall };
}

async function result(
  stack: Stack,
  ns: string,
  watches: Watches,
  times: Breach & { delayMs: number },
): Promise<TrialResult> {
  // The status with the failing measurement is written after the weights, in the same pass.
  const run = await when(watches.canaries, 'the analysis to fail', (objects) => {
    const found = stepRun(statusOf(objects));
    return found?.phase === 'Failed' ? found : undefined;
  });
  const measurements = measurementsOf(run);
  const failing = measurements.findLast((m) => m.phase === 'Failed');
  if (!failing?.finishedAt) throw new Error(`${ns}: the failed run has no failed measurement`);
  const scrapes = await errorScrapes(stack.prometheus?.url ?? '', ns, CANARY);
  const rel = (at: number | undefined): number | undefined =>
    at === undefined ? undefined : at - times.t0Wall;
  return {
    ns,
    delayMs: times.delayMs,
    breachToSafeMs: times.t1 - times.t0,
    overheadMs: times.t1Wall - Date.parse(failing.finishedAt),
    atFirstErrorScrape: rel(scrapes.first),
    atSecondErrorScrape: rel(scrapes.second),
    atMeasurementStart: Date.parse(failing.startedAt) - times.t0Wall,
    atMeasurementEnd: Date.parse(failing.finishedAt) - times.t0Wall,
    atSafe: times.t1Wall - times.t0Wall,
    passedAfterBreach: measurements.filter(
      (m) => m.phase === 'Successful' && Date.parse(m.startedAt) >= times.t0Wall,
    ).length,
    failingValue: failing.value ?? '',
  };
}

/**
 * One trial in its own namespace of a shared stack: a healthy canary under analysis, a random wait
 * of up to one measurement interval, then the canary's pods start failing (t0); t1 is when a watch
 * on the VirtualService sees canary weight 0. Everything the trial started is stopped and its
 * namespace deleted before it returns.
 */
export async function runTrial(stack: Stack, ns: string, config: BreachConfig): Promise<TrialResult> {
  await stack.namespace(ns);
  const watches = await watch(stack, ns);
  await stack.apply(trialObjects(ns, stack.prometheus?.url ?? '', config));
  const mesh = await stack.addMesh({ namespace: ns, host: CANARY, rps: config.rps });
  const controller = stack.startController({ namespace: ns });
  try {
    try {
      await toHealthyCanary(stack, ns, watches, config);
    } catch (err) {
      const health = await scrapeHealth(stack.prometheus?.url ?? '');
      throw new SetupError(`${ns}: ${err instanceof Error ? err.message : String(err)} (${health})`);
    }
    const delayMs = Math.random() * config.measurementIntervalMs;
    await sleep(delayMs);
    const times = await breach(stack, ns, watches, config);
    return await result(stack, ns, watches, { ...times, delayMs });
  } finally {
    await controller.stop();
    await Promise.all([watches.canaries.stop(), watches.virtualServices.stop()]);
    stack.hub.remove(mesh.metricsUrl);
    await mesh.stop();
    await stack.client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  }
}
