/**
 * Runs a real Prometheus for the demo and the tests: 127.0.0.1 on a free port, a temporary config
 * and temporary storage, ready when `/-/ready` answers.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** A running Prometheus. */
export interface RunningPrometheus {
  /** Base URL, e.g. http://127.0.0.1:43121 */
  readonly url: string;
  /** Stops it gracefully and removes its temporary files. Safe to call twice. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL (a crash), then removes its temporary files. */
  kill(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** Scrape targets as host:port. */
  readonly targets: readonly string[];
  /** Scrape interval, default 1s. */
  readonly scrapeInterval?: string;
  /** How long to wait for readiness, default 30s. */
  readonly readyTimeoutMs?: number;
  /**
   * History to load before starting, as OpenMetrics text (ending in `# EOF`): written into TSDB
   * blocks by `promtool tsdb create-blocks-from openmetrics`, so tests can query samples whose
   * timestamps they chose, to the millisecond. Retention is then unlimited.
   */
  readonly backfill?: string;
}

/** The first candidate that is an executable file. */
function firstExecutable(candidates: readonly (string | undefined)[]): string | undefined {
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === '') continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** `name` in each directory of PATH. */
function onPath(name: string): string[] {
  return (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name));
}

/** The prometheus binary: $PROMETHEUS_BIN, /usr/bin/prometheus, or the first on PATH. */
export function prometheusBinary(): string | undefined {
  return firstExecutable([process.env.PROMETHEUS_BIN, '/usr/bin/prometheus', ...onPath('prometheus')]);
}

/** promtool, which Debian's prometheus package installs beside the server. */
export function promtoolBinary(): string | undefined {
  const server = prometheusBinary();
  return firstExecutable([
    process.env.PROMTOOL_BIN,
    ...(server === undefined ? [] : [join(dirname(server), 'promtool')]),
    ...onPath('promtool'),
  ]);
}

/** Writes OpenMetrics text into TSDB blocks under `dataDir`. */
async function backfill(openMetrics: string, dataDir: string, scratch: string): Promise<void> {
  const promtool = promtoolBinary();
  if (promtool === undefined)
    throw new Error("no promtool binary (it ships with Debian's prometheus package)");
  const input = join(scratch, 'backfill.om');
  writeFileSync(input, openMetrics);
  await promisify(execFile)(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', input, dataDir], {
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Whether a prometheus binary is available. */
export function prometheusAvailable(): boolean {
  return prometheusBinary() !== undefined;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

function configYaml(targets: readonly string[], scrapeInterval: string): string {
  return [
    'global:',
    `  scrape_interval: ${scrapeInterval}`,
    `  scrape_timeout: ${scrapeInterval}`,
    `  evaluation_interval: ${scrapeInterval}`,
    'scrape_configs:',
    '  - job_name: serin',
    '    static_configs:',
    `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
    '',
  ].join('\n');
}

async function waitReady(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  logs: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${logs()}`);
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`prometheus not ready within ${timeoutMs}ms:\n${logs()}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
}

/** Starts Prometheus scraping `targets`; resolves once it is ready to answer queries. */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = prometheusBinary();
  if (binary === undefined) throw new Error('no prometheus binary');
  const dir = mkdtempSync(join(tmpdir(), 'serin-prom-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, configYaml(options.targets, options.scrapeInterval ?? '1s'));
  if (options.backfill !== undefined) {
    try {
      await backfill(options.backfill, join(dir, 'data'), dir);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      // Backfilled history may be of any age; a scraping Prometheus keeps only what tests need.
      `--storage.tsdb.retention.time=${options.backfill === undefined ? '1h' : '100y'}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const cleanup = (): void => {
    rmSync(dir, { recursive: true, force: true });
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited(child);
    cleanup();
  };
  try {
    await waitReady(url, child, options.readyTimeoutMs ?? 30_000, () => stderr);
  } catch (err) {
    await end('SIGKILL');
    throw err;
  }
  return { url, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
