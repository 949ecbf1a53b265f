/**
 * `serin controller` as a child process, for the tests that check what a platform team runs: the
 * process test on the sources, the image-content test on the assembled image folder, the bad-input
 * tests and the start-up benchmark. One helper, so they all start and stop it the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { KubeSim } from '../../src/sim/kube/index.ts';
import { poll } from '../support/index.ts';

/** How to start serin: the executable's arguments before the verb, and the folder to run in. */
export interface SerinCommand {
  /** e.g. `['--import', 'tsx', 'src/main.ts']` (sources) or `['bin/serin.js']` (the build). */
  readonly args: readonly string[];
  readonly cwd?: string;
  /** The node binary; default: the one running the tests. */
  readonly node?: string;
}

/** The sources through tsx, from the repository root (what the tests ran before the build existed). */
export const FROM_SOURCES: SerinCommand = { args: ['--import', 'tsx', 'src/main.ts'] };
/** The compiled build through bin/serin.js, from the repository root. */
export const FROM_BUILD: SerinCommand = { args: ['bin/serin.js'] };

/** A running serin process. */
export interface SerinProcess {
  readonly child: ChildProcess;
  /** stdout so far (the controller logs JSON lines there). */
  stdout(): string;
  /** stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** URLs of the ES modules the process resolved (only with `recordLoads`); read after exit. */
  loadedModules(): string[];
  /** Removes the record file. */
  cleanup(): void;
}

/**
 * An `--import` that records every ES module URL the process resolves, one a line, into `file`,
 * through a module.register() resolve hook. It is a data: URL so the check needs no loader file.
 */
function recordLoadsImport(file: string): string {
  const hooks =
    `import { appendFileSync } from 'node:fs';\n` +
    `export async function resolve(specifier, context, next) {\n` +
    `  const result = await next(specifier, context);\n` +
    `  appendFileSync(${JSON.stringify(file)}, result.url + '\\n');\n` +
    `  return result;\n` +
    `}\n`;
  const entry =
    `import { register } from 'node:module';\n` +
    `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});\n`;
  return `--import=data:text/javascript,${encodeURIComponent(entry)}`;
}

/** Starts `serin <args…>`; with `recordLoads`, every module it resolves is recorded. */
export function spawnSerin(
  command: SerinCommand,
  args: readonly string[],
  options: { recordLoads?: boolean; env?: NodeJS.ProcessEnv } = {},
): SerinProcess {
  const dir = options.recordLoads === true ? mkdtempSync(join(tmpdir(), 'serin-loads-')) : undefined;
  const record = dir === undefined ? undefined : join(dir, 'loads.txt');
  const child = spawn(
    command.node ?? process.execPath,
    [...(record === undefined ? [] : [recordLoadsImport(record)]), ...command.args, ...args],
    {
      cwd: command.cwd ?? process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    loadedModules: () =>
      record === undefined
        ? []
        : readFileSync(record, { encoding: 'utf8', flag: 'a+' })
            .split('\n')
            .filter((l) => l !== ''),
    cleanup: () => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `serin <args…>` to the end. */
export async function runSerin(
  command: SerinCommand,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = spawnSerin(command, args, options);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** The identity holding serin's Lease in `namespace`; '' when released, undefined when there is no Lease. */
export function leaseHolder(sim: KubeSim, namespace = 'serin-system'): string | undefined {
  const lease = sim.store.get('coordination.k8s.io/v1', 'Lease', namespace, 'serin-controller');
  if (lease === undefined) return undefined;
  return (lease.spec as { holderIdentity?: string | null } | undefined)?.holderIdentity ?? '';
}

/** The arguments of an idle `serin controller` against the simulator, with a free metrics port. */
export function controllerArgs(sim: KubeSim, extra: readonly string[] = []): string[] {
  return ['controller', '--kubeconfig', sim.kubeconfigPath, '--metrics-addr', '127.0.0.1:0', ...extra];
}

/** A port free on 127.0.0.1 now: the OS picks it and it is closed again for the caller to bind. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The /metrics, /healthz and /readyz base URL the controller logged, once it has. */
export function telemetryUrl(run: SerinProcess): string | undefined {
  return /"metrics":"(http:\/\/[^"]+)"/.exec(run.stdout())?.[1];
}

/** What one controller lifetime showed: see {@link runControllerLifecycle}. */
export interface ControllerLifecycle {
  /** Lease holder once the process led (undefined if it never took the lease). */
  holderWhileRunning: string | undefined;
  /** GET /readyz while leading: status and body. */
  readyz: [number, string] | undefined;
  /** Exit code after SIGTERM. */
  exitCode: number | null;
  /** Lease holder after exit ('' when released). */
  holderAfterExit: string | undefined;
  stdout: string;
  stderr: string;
  /** Module URLs resolved during the whole lifetime. */
  loadedModules: string[];
}

/**
 * Starts an idle controller against `sim` on a chosen loopback port, polls /readyz until it reports
 * leading (no log reading, no sleeps), then sends SIGTERM and waits for the exit. Returns what it saw; the caller asserts.
 */
export async function runControllerLifecycle(
  sim: KubeSim,
  command: SerinCommand,
): Promise<ControllerLifecycle> {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['controller', '--kubeconfig', sim.kubeconfigPath, '--metrics-addr', `127.0.0.1:${port}`];
  const run = spawnSerin(command, [...args, '--log-level', 'info'], { recordLoads: true });
  try {
    // Poll /readyz until it reports this process leading (it answers 200 "standby" before it takes
    // the Lease) and the Lease names a holder; the caller asserts the answer's exact status and body.
    const readyz = await poll(
      async (): Promise<[number, string] | undefined> => {
        if (run.child.exitCode !== null) throw new Error(`serin controller exited early: ${run.stderr()}`);
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        if (response === undefined) return undefined;
        const answer: [number, string] = [response.status, await response.text()];
        return answer[1].includes('leading') && leaseHolder(sim) ? answer : undefined;
      },
      'serin controller to report leading on /readyz',
      { timeoutMs: 30_000, intervalMs: 50, detail: () => run.stderr() },
    );
    const holderWhileRunning = leaseHolder(sim);
    run.child.kill('SIGTERM');
    const exitCode = await run.exited;
    return {
      holderWhileRunning,
      readyz,
      exitCode,
      holderAfterExit: leaseHolder(sim),
      stdout: run.stdout(),
      stderr: run.stderr(),
      loadedModules: run.loadedModules(),
    };
  } finally {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    run.cleanup();
  }
}

/** Module URLs under `root` (a file: URL prefix) whose path, below it, matches `pattern`. */
export function modulesMatching(urls: readonly string[], root: string, pattern: RegExp): string[] {
  return [...new Set(urls.filter((url) => url.startsWith(root) && pattern.test(url.slice(root.length))))];
}
