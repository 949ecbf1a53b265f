/**
 * `npm run bench -- startup`: what a user and a cluster pay to start serin, the compiled build
 * (`node bin/serin.js`, what `npm ci` and the image give) next to the TypeScript sources through
 * tsx (`node --import tsx src/main.ts`, how bin/serin.js ran before the build existed). Both are
 * measured in one run, interleaved, so they share the machine's load. Prints; never asserts.
 */
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import {
  FROM_BUILD,
  FROM_SOURCES,
  controllerArgs,
  leaseHolder,
  runSerin,
  spawnSerin,
  telemetryUrl,
  type SerinCommand,
} from '../harness/controller-process.ts';
import { poll } from '../support/index.ts';

const HELP_RUNS = 10;
const RSS_RUNS = 3;
/** How long an idle controller runs after it is ready before its memory is read. */
const SETTLE_MS = 5_000;
/**
 * The last commit before issue 12: every verb, the simulator and the demo loaded eagerly, through
 * tsx. Its sources are checked out into a temporary folder (sharing this node_modules) so that
 * "before" is measured in the same run as "after", on the same load.
 */
const BEFORE = '47b66c2';

interface MeasuredPath {
  label: string;
  command: SerinCommand;
}

/** The paths to compare; the "before" one only when git still has that commit (not in a shallow clone). */
function measuredPaths(beforeDir: string | undefined): MeasuredPath[] {
  const paths: MeasuredPath[] = [
    { label: 'build: node bin/serin.js', command: FROM_BUILD },
    { label: 'tsx, today: node --import tsx src/main.ts', command: FROM_SOURCES },
  ];
  if (beforeDir !== undefined) {
    paths.push({
      label: `tsx, before (${BEFORE}): same command`,
      command: { ...FROM_SOURCES, cwd: beforeDir },
    });
  }
  return paths;
}

/** Checks out {@link BEFORE} into a temporary folder; undefined when the commit is not available. */
function checkoutBefore(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'serin-before-'));
  try {
    execSync(`git archive ${BEFORE} | tar -x -C ${JSON.stringify(dir)}`, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch {
    console.log(`(commit ${BEFORE} not in this clone: the "before" row is left out)`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  return dir;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Wall time of `serin --help`, spawn to exit, in ms. */
async function helpMs(command: SerinCommand): Promise<number> {
  const started = performance.now();
  const run = await runSerin(command, ['--help']);
  if (run.code !== 0) throw new Error(`serin --help exited ${String(run.code)}: ${run.stderr}`);
  return performance.now() - started;
}

/** A Linux process's resident set and its peak, in MiB, from /proc. */
function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** RSS of an idle `serin controller` (0 Canaries, default flags: leader election on) once it leads. */
async function idleControllerMiB(
  sim: KubeSim,
  command: SerinCommand,
): Promise<{ rss: number; peak: number }> {
  const run = spawnSerin(command, controllerArgs(sim, ['--log-level', 'info']));
  try {
    await poll(
      async () => {
        const base = telemetryUrl(run);
        if (base === undefined || !leaseHolder(sim)) return undefined;
        const ready = await fetch(`${base}/readyz`).catch(() => undefined);
        return ready?.status === 200 ? base : undefined;
      },
      'the controller to be ready',
      { timeoutMs: 60_000, intervalMs: 50, detail: () => run.stderr() },
    );
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return memoryMiB(run.child.pid ?? 0);
  } finally {
    run.child.kill('SIGTERM');
    await run.exited;
  }
}

const fmt = (value: number, digits = 0): string => value.toFixed(digits);

/** Builds dist/ (`npm run build`: incremental tsc, then the client-node slice) from the current sources. */
function build(): void {
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
}

export async function run(): Promise<void> {
  build();
  console.log(
    `node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const beforeDir = checkoutBefore();
  try {
    await measure(measuredPaths(beforeDir));
  } finally {
    if (beforeDir !== undefined) rmSync(beforeDir, { recursive: true, force: true });
  }
}

async function measure(paths: readonly MeasuredPath[]): Promise<void> {
  const help = new Map<string, number[]>(paths.map((p) => [p.label, []]));
  for (const path of paths) await helpMs(path.command); // warm the file cache for both
  for (let i = 0; i < HELP_RUNS; i++) {
    for (const path of paths) help.get(path.label)?.push(await helpMs(path.command));
  }
  const sim = await startKubeSim({ port: 0, namespaces: ['serin-system'] });
  const rss = new Map<string, { rss: number; peak: number }[]>(paths.map((p) => [p.label, []]));
  try {
    for (let i = 0; i < RSS_RUNS; i++) {
      for (const path of paths) rss.get(path.label)?.push(await idleControllerMiB(sim, path.command));
    }
  } finally {
    await sim.stop();
  }
  console.log('');
  console.log(
    `| ${'path'.padEnd(44)} | --help median of ${HELP_RUNS} (min–max), ms | idle controller RSS median of ${RSS_RUNS}, MiB | peak RSS, MiB |`,
  );
  console.log(`| ${'-'.repeat(44)} | ---: | ---: | ---: |`);
  for (const path of paths) {
    const times = help.get(path.label) ?? [];
    const mem = rss.get(path.label) ?? [];
    console.log(
      `| ${path.label.padEnd(44)} | ${fmt(median(times))} (${fmt(Math.min(...times))}–${fmt(Math.max(...times))}) | ` +
        `${fmt(median(mem.map((m) => m.rss)), 1)} | ${fmt(median(mem.map((m) => m.peak)), 1)} |`,
    );
  }
  const built = paths[0]?.label ?? '';
  const helpMedian = median(help.get(built) ?? []);
  const rssMedian = median((rss.get(built) ?? []).map((m) => m.rss));
  console.log('');
  console.log(
    `goal --help ≤ 300 ms (build): ${fmt(helpMedian)} ms, ${helpMedian <= 300 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `goal idle RSS ≤ 100 MiB (build): ${fmt(rssMedian, 1)} MiB, ${rssMedian <= 100 ? 'met' : 'NOT met'}`,
  );
}
