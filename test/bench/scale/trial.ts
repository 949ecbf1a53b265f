/**
 * One scale trial at N Canaries: the simulator, the Prometheus stand-in, a readiness writer and
 * `serin controller` (the build) as a child process; all Canaries to Idle, half of them into a
 * rollout, a measuring window, and one breach under load. Returns the figures; prints progress.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CanaryStatus } from '../../../src/api/index.ts';
import {
  createKubeClient,
  loadKubeConfig,
  ResourceCache,
  type KubeClient,
  type KubeObject,
} from '../../../src/kube/index.ts';
import { startKubeSim, type KubeSim } from '../../../src/sim/kube/index.ts';
import { FROM_BUILD, spawnSerin, type SerinProcess } from '../../harness/controller-process.ts';
import { poll, PollTimeoutError } from '../../support/index.ts';
import { percentile } from '../breach/stats.ts';
import {
  histogramBuckets,
  histogramQuantile,
  latenessTimeline,
  LatenessFromStatus,
  metricSum,
  ProcessSampler,
  scrape,
} from './measure.ts';
import {
  ANALYSIS_STEP,
  canary,
  namespacesOf,
  serviceObjects,
  template,
  workloads,
  type Workload,
} from './objects.ts';
import { startPrometheusStandIn, type PrometheusStandIn } from './prometheus-standin.ts';
import { startReadinessWriter, type ReadinessWriter } from './readiness.ts';

/** What `probe` returns once it returns something, or undefined when `timeoutMs` passes first (a figure, not a failure). */
async function within<T>(
  probe: () => T | undefined,
  what: string,
  timeoutMs: number,
): Promise<T | undefined> {
  try {
    return await poll(probe, what, { timeoutMs, intervalMs: 50 });
  } catch (err) {
    if (err instanceof PollTimeoutError) return undefined;
    throw err;
  }
}

/** The figures of one trial. Times in seconds, sizes in MiB, rates per second. */
export interface ScaleRow {
  n: number;
  windowS: number;
  rssMaxMiB: number;
  cpuMean: number;
  cpuP99Minute: number;
  latenessP50: number | undefined;
  latenessP99: number | undefined;
  latenessSource: string;
  apiPerSecond: Record<string, number>;
  queriesBefore: number | undefined;
  queriesBeforeSource: string;
  queriesAfter: number;
  idleS: number | undefined;
  breachS: number | undefined;
  simCpuMean: number;
  simRssMiB: number;
  /** The bench process's event-loop delay over the window (s): the simulator answers no faster. */
  simLagP99: number;
  simLagMax: number;
  /** The controller's V8 heap and external memory at the end of the window (its own metrics), MiB. */
  heapUsedMiB: number | undefined;
  heapTotalMiB: number | undefined;
  externalMiB: number | undefined;
  /** Queue wait, pass length, event-loop lag and the exact lateness from status, as text. */
  breakdown: string;
  notes: string[];
}

const CONTROLLER_USER = 'serin';

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return typeof address === 'object' && address !== null ? address.port : 0;
}

const log = (text: string): void => {
  console.log(`  [${new Date().toISOString().slice(11, 19)}] ${text}`);
};

function statusOf(o: KubeObject | undefined): CanaryStatus | undefined {
  return o?.status as CanaryStatus | undefined;
}

function measuring(o: KubeObject | undefined): boolean {
  const s = statusOf(o);
  const run = s?.analysis?.findLast((r) => r.kind === 'Step' && r.step === ANALYSIS_STEP);
  return s?.phase === 'Progressing' && (run?.metrics[0]?.measurements.length ?? 0) > 0;
}

function canaryWeight(vs: KubeObject, host: string): number | undefined {
  const http = (vs.spec as { http?: { route?: { destination: { host: string }; weight?: number }[] }[] })
    .http;
  const route = http?.[0]?.route?.find((r) => r.destination.host === `${host}-canary`);
  return route === undefined ? undefined : (route.weight ?? 0);
}

interface Rig {
  sim: KubeSim;
  client: KubeClient;
  prometheus: PrometheusStandIn;
  readiness: ReadinessWriter;
  canaries: ResourceCache;
  virtualServices: ResourceCache;
  lateness: LatenessFromStatus;
  dir: string;
}

async function startRig(list: readonly Workload[]): Promise<Rig> {
  const sim = await startKubeSim({ port: 0, namespaces: ['serin-system', ...namespacesOf(list)] });
  const client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
  const prometheus = await startPrometheusStandIn();
  const readiness = await startReadinessWriter(client);
  const canaries = new ResourceCache({ client, apiVersion: 'serin.dev/v1alpha1', kind: 'Canary' });
  const virtualServices = new ResourceCache({
    client,
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
  });
  const lateness = new LatenessFromStatus();
  canaries.onChange(({ object }) => {
    lateness.observe(object);
  });
  canaries.start();
  virtualServices.start();
  await Promise.all([canaries.synced, virtualServices.synced]);
  const dir = mkdtempSync(join(tmpdir(), 'serin-scale-'));
  return { sim, client, prometheus, readiness, canaries, virtualServices, lateness, dir };
}

async function stopRig(rig: Rig): Promise<void> {
  await Promise.all([rig.canaries.stop(), rig.virtualServices.stop(), rig.readiness.stop()]);
  await rig.prometheus.stop();
  await rig.sim.stop();
  rmSync(rig.dir, { recursive: true, force: true });
}

async function createObjects(rig: Rig, list: readonly Workload[]): Promise<void> {
  for (const ns of namespacesOf(list)) await rig.client.create(template(ns, rig.prometheus.url));
  await pool(list, 32, async (w) => {
    for (const o of serviceObjects(w)) await rig.client.create(o);
    await rig.client.create(canary(w));
  });
}

function startController(rig: Rig, port: number, opts: TrialOptions): SerinProcess {
  const { profileDir } = opts;
  const file = join(rig.dir, 'kubeconfig.json');
  // The simulator's kubeconfig file with the token of a user of the controller's own.
  const token = rig.sim.kubeconfigFor(CONTROLLER_USER).users[0]?.token ?? '';
  const defaultToken = rig.sim.kubeconfig.users[0]?.token ?? '';
  writeFileSync(file, readFileSync(rig.sim.kubeconfigPath, 'utf8').replaceAll(defaultToken, token));
  // --cpu-prof is not allowed in NODE_OPTIONS: the flags go before the script.
  const flags = [...(opts.nodeOptions ?? []), ...(profileDir === undefined ? [] : profileFlags(profileDir))];
  const command = { ...FROM_BUILD, args: [...flags, ...FROM_BUILD.args] };
  return spawnSerin(command, [
    'controller',
    '--kubeconfig',
    file,
    '--metrics-addr',
    `127.0.0.1:${port}`,
    '--log-level',
    'warn',
    ...(opts.serinArgs ?? []),
  ]);
}

function profileFlags(dir: string): string[] {
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`];
}

/** The value of an unlabelled sample in a Prometheus text exposition, in MiB. */
function mib(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text);
  return match === null ? undefined : Number(match[1]) / 2 ** 20;
}

function countPhase(rig: Rig, phase: string): number {
  return rig.canaries.list().filter((o) => statusOf(o)?.phase === phase).length;
}

async function startRollouts(rig: Rig, busy: readonly Workload[]): Promise<void> {
  await pool(busy, 16, async (w) => {
    await rig.client.jsonPatch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: w.namespace, name: w.name },
      [
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/image',
          value: 'ghcr.io/stefanprodan/podinfo:6.7.1',
        },
      ],
    );
  });
}

/** Switches one busy, passing canary to failing and times until a watch sees its canary weight 0. */
async function breach(rig: Rig, busy: readonly Workload[]): Promise<number | undefined> {
  const target = busy.find((w) => measuring(rig.canaries.get(w.namespace, w.name)));
  if (target === undefined) return undefined;
  let t1 = 0;
  const stop = rig.virtualServices.onChange(({ object }) => {
    if (t1 === 0 && object.metadata.name === target.name && object.metadata.namespace === target.namespace) {
      if (canaryWeight(object, target.name) === 0) t1 = performance.now();
    }
  });
  const t0 = performance.now();
  rig.prometheus.fail(target.namespace, target.name);
  const seen = await within(() => (t1 === 0 ? undefined : t1), 'the breached canary at weight 0', 120_000);
  stop();
  log(
    `breach of ${target.namespace}/${target.name}: ${seen === undefined ? 'not safe within 120 s' : 'safe'}`,
  );
  return seen === undefined ? undefined : (seen - t0) / 1000;
}

interface Snapshot {
  at: number;
  audit: number;
  queries: number;
  metrics: string;
}

async function snapshot(rig: Rig, metricsUrl: string): Promise<Snapshot> {
  return {
    at: performance.now(),
    audit: rig.sim.audit.entries().length,
    queries: rig.prometheus.queries(),
    metrics: await scrape(metricsUrl),
  };
}

function apiRates(rig: Rig, from: Snapshot, to: Snapshot): Record<string, number> {
  const seconds = (to.at - from.at) / 1000;
  const counts: Record<string, number> = {};
  for (const record of rig.sim.audit.entries().slice(from.audit, to.audit)) {
    if (record.user !== CONTROLLER_USER) continue;
    counts[record.verb] = (counts[record.verb] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([verb, c]) => [verb, c / seconds]));
}

function latenessFigures(
  rig: Rig,
  from: Snapshot,
  to: Snapshot,
): Pick<ScaleRow, 'latenessP50' | 'latenessP99' | 'latenessSource'> {
  const name = 'serin_measurement_lateness_seconds';
  const histogram = windowQuantiles(from, to, name);
  if (histogram !== undefined) {
    return {
      latenessP50: histogram.p50,
      latenessP99: histogram.p99,
      latenessSource: `${name} (bucket upper bound)`,
    };
  }
  const samples = rig.lateness.lateness;
  return {
    latenessP50: samples.length === 0 ? undefined : percentile(samples, 50),
    latenessP99: samples.length === 0 ? undefined : percentile(samples, 99),
    latenessSource: `status: startedAt - promised nextMeasurementAt, ${samples.length} measurements`,
  };
}

/**
 * Where a measurement's lateness comes from: the wait for a worker, the pass itself, and in it the
 * queries' wait for a slot and their requests (histogram bucket upper bounds over the window); the
 * controller's event-loop delay over the window; the lateness itself exactly, from status, and by
 * the 5 s in which measurements were due.
 */
function breakdown(rig: Rig, from: Snapshot, to: Snapshot): string {
  const quantiles = (name: string): string => {
    const q = windowQuantiles(from, to, name);
    return q === undefined ? '—' : `p50 ≤ ${fmtS(q.p50)} / p99 ≤ ${fmtS(q.p99)}`;
  };
  // prom-client's event-loop delay histogram restarts at each scrape: the end one covers the window.
  const lag = metricSum(to.metrics, 'serin_nodejs_eventloop_lag_p99_seconds');
  const lagMax = metricSum(to.metrics, 'serin_nodejs_eventloop_lag_max_seconds');
  const samples = rig.lateness.lateness;
  const exact =
    samples.length === 0
      ? '—'
      : `p50 ${fmtS(percentile(samples, 50))} / p90 ${fmtS(percentile(samples, 90))} / p99 ${fmtS(percentile(samples, 99))} / max ${fmtS(Math.max(...samples))} (${samples.length} measurements)`;
  return (
    `queue wait ${quantiles('serin_workqueue_queue_duration_seconds')}; ` +
    `pass ${quantiles('serin_reconcile_duration_seconds')}; ` +
    `query: slot wait ${quantiles('serin_prometheus_queue_duration_seconds')}, request ${quantiles('serin_prometheus_request_duration_seconds')}; ` +
    `event-loop lag over the window p99 ${fmtS(lag)}, max ${fmtS(lagMax)}; ` +
    `lateness from status ${exact}; ` +
    `by due time (5 s slots, due/most late s): ${latenessTimeline(rig.lateness.dueAt, samples)}`
  );
}

/** p50 and p99 (bucket upper bounds) of a histogram's observations between two scrapes. */
function windowQuantiles(
  from: Snapshot,
  to: Snapshot,
  name: string,
): { p50: number | undefined; p99: number | undefined } | undefined {
  const before = histogramBuckets(from.metrics, name);
  const after = histogramBuckets(to.metrics, name);
  if (after.size === 0) return undefined;
  return { p50: histogramQuantile(before, after, 0.5), p99: histogramQuantile(before, after, 0.99) };
}

function fmtS(seconds: number | undefined): string {
  return seconds === undefined || Number.isNaN(seconds) ? '—' : `${seconds.toFixed(3)} s`;
}

function queriesBefore(
  rig: Rig,
  from: Snapshot,
  to: Snapshot,
): Pick<ScaleRow, 'queriesBefore' | 'queriesBeforeSource'> {
  const seconds = (to.at - from.at) / 1000;
  const name = 'serin_prometheus_queries_total';
  const a = metricSum(from.metrics, name);
  const b = metricSum(to.metrics, name);
  if (b !== undefined) {
    return { queriesBefore: (b - (a ?? 0)) / seconds, queriesBeforeSource: `${name} (sent + shared)` };
  }
  // Without the counter: every measurement of the template asks two queries (the metric and minTraffic).
  return {
    queriesBefore: (rig.lateness.measurements * 2) / seconds,
    queriesBeforeSource: 'measurements in status × 2 queries (query + minTraffic)',
  };
}

/** Options of one trial. */
export interface TrialOptions {
  n: number;
  minutes: number;
  /**
   * A folder for the controller's V8 CPU profile (`--cpu-prof`, written when it exits) and a heap
   * snapshot taken at the end of the measuring window (`--heapsnapshot-signal`). Profiling slows the
   * controller: a profiled run's figures are for reading the profile, not for the table.
   */
  profileDir?: string;
  /** Flags for the controller's node, e.g. `--max-old-space-size=384`. */
  nodeOptions?: readonly string[];
  /** More flags for `serin controller`, e.g. `--workers 8`. */
  serinArgs?: readonly string[];
}

function phases(rig: Rig): string {
  const counts = new Map<string, number>();
  let message = '';
  for (const o of rig.canaries.list()) {
    const s = statusOf(o);
    const phase = s?.phase ?? 'none';
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
    if (phase !== 'Idle' && message === '') message = `${o.metadata.name ?? ''}: ${s?.message ?? ''}`;
  }
  return `${[...counts].map(([p, c]) => `${p} ${c}`).join(', ')}${message === '' ? '' : ` (${message.slice(0, 200)})`}`;
}

/** Progress every 15 s while waiting, so a long wait says what it waits for. */
async function progress<T>(rig: Rig, wait: Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    log(phases(rig));
  }, 15_000);
  try {
    return await wait;
  } finally {
    clearInterval(timer);
  }
}

async function toIdle(rig: Rig, n: number, startedAt: number): Promise<number | undefined> {
  const idle = await progress(
    rig,
    within(
      () => (countPhase(rig, 'Idle') === n ? performance.now() : undefined),
      'every Canary Idle',
      30 * 60_000,
    ),
  );
  return idle === undefined ? undefined : (idle - startedAt) / 1000;
}

async function toMeasuring(rig: Rig, busy: readonly Workload[]): Promise<number> {
  const all = (): number => busy.filter((w) => measuring(rig.canaries.get(w.namespace, w.name))).length;
  await progress(
    rig,
    within(() => (all() >= busy.length ? true : undefined), 'every rollout measuring', 10 * 60_000),
  );
  return all();
}

async function measure(
  rig: Rig,
  run: SerinProcess,
  metricsUrl: string,
  opts: TrialOptions,
  busy: readonly Workload[],
): Promise<ScaleRow> {
  const pid = run.child.pid ?? 0;
  const sampler = new ProcessSampler(pid);
  const self = new ProcessSampler(process.pid);
  const selfLag = monitorEventLoopDelay({ resolution: 10 });
  selfLag.enable();
  const from = await snapshot(rig, metricsUrl);
  rig.lateness.recording = true;
  sampler.start();
  self.start();
  const windowMs = opts.minutes * 60_000;
  await sleep(windowMs / 2);
  const breachS = await breach(rig, busy);
  const left = windowMs - (performance.now() - from.at);
  if (left > 0) await sleep(left);
  const to = await snapshot(rig, metricsUrl);
  rig.lateness.recording = false;
  sampler.stop();
  self.stop();
  selfLag.disable();
  const minutes = sampler.minuteWindows();
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  return {
    n: opts.n,
    windowS: (to.at - from.at) / 1000,
    rssMaxMiB: Math.max(...sampler.rss),
    cpuMean: mean(sampler.cores),
    cpuP99Minute: minutes.length === 0 ? Number.NaN : percentile(minutes, 99),
    ...latenessFigures(rig, from, to),
    apiPerSecond: apiRates(rig, from, to),
    ...queriesBefore(rig, from, to),
    queriesAfter: (to.queries - from.queries) / ((to.at - from.at) / 1000),
    idleS: undefined,
    breachS,
    simCpuMean: mean(self.cores),
    simLagP99: selfLag.percentile(99) / 1e9,
    simLagMax: selfLag.max / 1e9,
    simRssMiB: Math.max(...self.rss),
    heapUsedMiB: mib(to.metrics, 'serin_nodejs_heap_size_used_bytes'),
    heapTotalMiB: mib(to.metrics, 'serin_nodejs_heap_size_total_bytes'),
    externalMiB: mib(to.metrics, 'serin_nodejs_external_memory_bytes'),
    breakdown: breakdown(rig, from, to),
    notes: [],
  };
}

/** Asks the controller for a heap snapshot and waits until its file is written. */
async function heapSnapshot(run: SerinProcess, dir: string): Promise<void> {
  // Node writes a signalled snapshot to --diagnostic-dir, or the working folder in older versions.
  const snapshots = (): string[] =>
    [dir, process.cwd()].flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.heapsnapshot'))
        .map((f) => join(d, f)),
    );
  const before = new Set(snapshots());
  run.child.kill('SIGUSR2');
  const deadline = performance.now() + 5 * 60_000;
  while (performance.now() < deadline) {
    const written = snapshots().find((f) => !before.has(f));
    // The file exists from the start of the write; it is complete once its size stops changing.
    if (written !== undefined) {
      const size = statSync(written).size;
      await sleep(3_000);
      if (size > 0 && statSync(written).size === size) {
        log(`heap snapshot: ${written} (${(size / 2 ** 20).toFixed(0)} MiB)`);
        return;
      }
    } else await sleep(1_000);
  }
  log('heap snapshot: not written within 5 min');
}

/** Runs one trial at N Canaries. */
export async function runTrial(opts: TrialOptions): Promise<ScaleRow> {
  const list = workloads(opts.n);
  const busy = list.filter((_, i) => i % 2 === 0);
  const rig = await startRig(list);
  let run: SerinProcess | undefined;
  try {
    const created = performance.now();
    await createObjects(rig, list);
    log(
      `N=${opts.n}: created ${opts.n} Canaries, Deployments and VirtualServices in ${((performance.now() - created) / 1000).toFixed(1)} s`,
    );
    const port = await freePort();
    const startedAt = performance.now();
    run = startController(rig, port, opts);
    const child = run;
    void child.exited.then((code) => {
      log(
        `controller exited (${String(code)}): ${child.stderr().slice(-1_000)} ${child.stdout().slice(-1_000)}`,
      );
    });
    const idleS = await toIdle(rig, opts.n, startedAt);
    log(`N=${opts.n}: all Idle after ${idleS?.toFixed(1) ?? 'timeout'} s`);
    await startRollouts(rig, busy);
    const measuringCount = await toMeasuring(rig, busy);
    log(
      `N=${opts.n}: ${measuringCount}/${busy.length} rollouts measuring; measuring window of ${opts.minutes} min`,
    );
    const row = await measure(rig, run, `http://127.0.0.1:${port}`, opts, busy);
    row.idleS = idleS;
    if (opts.profileDir !== undefined) await heapSnapshot(run, opts.profileDir);
    if (measuringCount < busy.length)
      row.notes.push(`only ${measuringCount}/${busy.length} rollouts were measuring`);
    if (rig.readiness.failures() > 0) row.notes.push(`${rig.readiness.failures()} readiness writes failed`);
    if (rig.prometheus.refused() > 0)
      row.notes.push(`${rig.prometheus.refused()} queries the stand-in refused`);
    return row;
  } finally {
    if (run !== undefined) {
      run.child.kill('SIGTERM');
      const exited = await Promise.race([run.exited, sleep(30_000).then(() => 'timeout')]);
      if (exited === 'timeout') run.child.kill('SIGKILL');
      const stderr = run.stderr().trim();
      if (stderr !== '') log(`controller stderr (last 500 chars): ${stderr.slice(-500)}`);
    }
    await stopRig(rig);
  }
}
