/**
 * `npm run bench:scale -- [--canaries N]... [--minutes M]`: `serin controller` (the build: run
 * `npm run build` first) against the Kubernetes API simulator with N Canaries, half at rest and half
 * in a rollout under analysis every 30 s, and a Prometheus stand-in. Prints its method, then one row
 * per N. Prints figures; never asserts. Hold /tmp/serin-heavy.lock while it runs.
 * `--profile DIR`: the controller writes a V8 CPU profile and, at the end of the window, a heap
 * snapshot into DIR/n<N> (a profiled run is slower: read its profile, not its figures).
 * `--node-options "--max-old-space-size=384"`: flags for the controller's node (the table says so).
 * `--serin-args "--workers 8"`: more flags for `serin controller` (the table says so).
 */
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MEASUREMENT_INTERVAL_S, PER_NAMESPACE, SCRAPE_INTERVAL, WINDOW } from './objects.ts';
import { runTrial, type ScaleRow } from './trial.ts';

const { values } = parseArgs({
  options: {
    canaries: { type: 'string', multiple: true },
    minutes: { type: 'string', default: '3' },
    profile: { type: 'string' },
    'node-options': { type: 'string' },
    'serin-args': { type: 'string' },
  },
});
const counts = (values.canaries ?? ['100,1000,10000'])
  .flatMap((v) => v.split(','))
  .map((v) => Number(v.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
const minutes = Number(values.minutes);

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const METHOD = [
  `# serin bench:scale — ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, commit ${commit()}`,
  '# method:',
  `# - serin controller (bin/serin.js, the build, flags: ${values['serin-args'] ?? 'defaults'}) as a child process, against the Kubernetes API`,
  '#   simulator (src/sim/kube over HTTP) in the bench process, with its own user so its requests are told apart.',
  `# - N Canaries, ${PER_NAMESPACE} to a namespace, each with a target Deployment and a VirtualService (docs/examples),`,
  '#   the shipped istio-success-rate template in each namespace (interval 30 s, failureLimit 0, window',
  `#   ${WINDOW}, scrapeInterval ${SCRAPE_INTERVAL}); serin creates the primaries and the Services.`,
  '# - Deployments are made ready by a readiness writer (status subresource, at once) instead of the workload',
  '#   emulator; the bench also watches Canaries, Deployments and VirtualServices (3 more watches on the simulator).',
  "# - Prometheus stand-in: answers the template's two instant queries by rule (minTraffic 600, success rate 1,",
  '#   0.5 once breached), reading only the workload matchers; it counts every query it gets ("after dedup").',
  '#   "before dedup" is serin_prometheus_queries_total (sent+shared) when the controller has it, else',
  '#   measurements seen in status × 2.',
  '# - idle: controller start → every Canary Idle. Then half the Canaries get a new image; once every one of',
  `#   them has a measurement, a window of ${minutes} min: CPU and RSS of the controller from /proc each second`,
  '#   (cpu mean over the window, p99 of 1-minute sliding means), API requests by authorizer verb from the',
  "#   simulator's audit log, queries from the stand-in, lateness from serin_measurement_lateness_seconds when",
  '#   present, else startedAt − the nextMeasurementAt status promised.',
  `# - breach: half-way through the window, one measuring canary's success rate turns 0.5 (t0); t1 is when a`,
  `#   VirtualService watch sees its canary weight 0. Goal: ≤ interval + 2 s = ${MEASUREMENT_INTERVAL_S + 2} s.`,
  '# - goals at N = 10,000: RSS ≤ 512 MiB; CPU ≤ 1 core mean; lateness p99 ≤ 1 s; breach→safe ≤ 32 s.',
  `# - the controller's node flags: ${values['node-options'] ?? 'none'}${values.profile === undefined ? '' : ' (profiled: --cpu-prof, heap snapshot at the end)'}.`,
];

const fmt = (x: number | undefined, digits = 1): string =>
  x === undefined || Number.isNaN(x) ? '—' : x.toFixed(digits);

function apiText(rates: Record<string, number>): string {
  const parts = Object.entries(rates)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([verb, r]) => `${verb} ${r.toFixed(1)}`);
  return parts.length === 0 ? '—' : parts.join(', ');
}

const HEADER =
  '| N | RSS max MiB | CPU mean (cores) | CPU p99 1-min | lateness p50 / p99 s | API req/s by verb | queries/s before → after dedup | all Idle s | breach→safe s |';

function rowText(r: ScaleRow): string {
  return [
    '',
    r.n,
    fmt(r.rssMaxMiB, 0),
    fmt(r.cpuMean, 2),
    fmt(r.cpuP99Minute, 2),
    `${fmt(r.latenessP50, 2)} / ${fmt(r.latenessP99, 2)}`,
    apiText(r.apiPerSecond),
    `${fmt(r.queriesBefore)} → ${fmt(r.queriesAfter)}`,
    fmt(r.idleS),
    fmt(r.breachS),
    '',
  ]
    .join(' | ')
    .trim();
}

function details(r: ScaleRow): string {
  return (
    `#   N=${r.n}: window ${r.windowS.toFixed(0)} s; lateness from ${r.latenessSource}; queries before from ${r.queriesBeforeSource}; ` +
    `controller heap used ${fmt(r.heapUsedMiB, 0)} of ${fmt(r.heapTotalMiB, 0)} MiB, external ${fmt(r.externalMiB, 0)} MiB (end of window); ` +
    `bench process (simulator + stand-in + writer): CPU ${fmt(r.simCpuMean, 2)} cores, RSS ${fmt(r.simRssMiB, 0)} MiB, ` +
    `event-loop lag p99 ${fmt(r.simLagP99, 3)} s, max ${fmt(r.simLagMax, 3)} s; ` +
    `where a measurement's time goes: ${r.breakdown}` +
    (r.notes.length === 0 ? '' : `; ${r.notes.join('; ')}`)
  );
}

for (const line of METHOD) console.log(line);
const rows: ScaleRow[] = [];
for (const n of counts) {
  console.log(`# N=${n}`);
  try {
    const profileDir = values.profile === undefined ? undefined : join(resolve(values.profile), `n${n}`);
    if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
    const words = (text: string | undefined): string[] => text?.split(' ').filter((o) => o !== '') ?? [];
    const nodeOptions = words(values['node-options']);
    const serinArgs = words(values['serin-args']);
    rows.push(
      await runTrial({
        n,
        minutes,
        nodeOptions,
        serinArgs,
        ...(profileDir === undefined ? {} : { profileDir }),
      }),
    );
  } catch (err) {
    console.log(`#   N=${n} failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
  console.log(HEADER);
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(rowText(r));
  for (const r of rows) console.log(details(r));
}
