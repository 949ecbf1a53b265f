import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import {
  FROM_SOURCES,
  freeLoopbackPort,
  leaseHolder,
  runSerin,
  spawnSerin,
} from '../harness/controller-process.ts';
import { poll } from '../support/index.ts';

let dir: string;
let sim: KubeSim | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'serin-bad-input-'));
});
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The environment of a process that finds no kubeconfig by itself (no $KUBECONFIG, an empty home). */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: join(dir, 'home') };
  delete env.KUBECONFIG;
  delete env.KUBERNETES_SERVICE_HOST;
  mkdirSync(join(dir, 'home'), { recursive: true });
  return env;
}

async function controller(
  args: string[],
  env = bareEnv(),
): Promise<{ code: number | null; lines: string[] }> {
  const run = await runSerin(FROM_SOURCES, ['controller', '--metrics-addr', '127.0.0.1:0', ...args], { env });
  return { code: run.code, lines: run.stderr.trim().split('\n') };
}

interface RetryLine {
  msg: string;
  attempt: number;
  retryInMs: number;
}

function retryLines(stdout: string): RetryLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.includes('"retryInMs"'))
    .map((line) => JSON.parse(line) as RetryLine);
}

describe('serin controller on bad input', () => {
  it('exits 2 with one line naming the file when the kubeconfig does not exist', async () => {
    const missing = join(dir, 'missing.yaml');
    expect(await controller(['--kubeconfig', missing])).toEqual({
      code: 2,
      lines: [`serin controller: cannot read kubeconfig ${missing}: no such file`],
    });
  }, 30_000);

  it('exits 2 with one line when the kubeconfig cannot be read', async () => {
    // A directory: unreadable as a file even for root, which these tests may run as.
    const folder = join(dir, 'kubeconfig.d');
    mkdirSync(folder);
    expect(await controller(['--kubeconfig', folder])).toEqual({
      code: 2,
      lines: [`serin controller: cannot read kubeconfig ${folder}: is a directory, not a file`],
    });
  }, 30_000);

  it('exits 2 with one line when the kubeconfig is not valid YAML', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'clusters: [\n');
    const result = await controller(['--kubeconfig', broken]);
    expect(result.code).toBe(2);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(
      new RegExp(`^serin controller: kubeconfig ${broken} is not a valid kubeconfig: .+`),
    );
  }, 30_000);

  it('exits 2 with one line when there is no kubeconfig anywhere', async () => {
    const result = await controller([]);
    expect(result.code).toBe(2);
    expect(result.lines).toEqual([
      'serin controller: no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a cluster',
    ]);
  }, 30_000);

  it('exits 2 with one line naming the namespace when the Lease namespace does not exist', async () => {
    sim = await startKubeSim({ port: 0 });
    const result = await controller([
      '--kubeconfig',
      sim.kubeconfigPath,
      '--lease-namespace',
      'serin-nowhere',
    ]);
    expect(result).toEqual({
      code: 2,
      lines: [
        `serin controller: the Lease namespace "serin-nowhere" does not exist on ${sim.url} (create it, or pass --lease-namespace)`,
      ],
    });
    expect(sim.store.list('coordination.k8s.io/v1', 'Lease')).toEqual([]);
  }, 30_000);

  it('retries an unreachable API server with growing backoff, then starts once it answers', async () => {
    const port = await freeLoopbackPort();
    // The simulator's kubeconfig for that port, kept while the simulator is down.
    sim = await startKubeSim({ port, namespaces: ['serin-system'] });
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, readFileSync(sim.kubeconfigPath));
    await sim.stop();
    sim = undefined;

    const run = spawnSerin(FROM_SOURCES, [
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--metrics-addr',
      '127.0.0.1:0',
    ]);
    try {
      const early = await poll(
        () => (retryLines(run.stdout()).length >= 2 ? retryLines(run.stdout()) : undefined),
        'two retry lines',
        20_000,
      );
      expect(early[0]?.msg).toMatch(
        new RegExp(
          `^API server http://127\\.0\\.0\\.1:${port} unreachable \\(.+\\); retrying in \\d+\\.\\ds$`,
        ),
      );
      // Jittered, but never below half the ceiling: ~1s, then ~2s, ...
      expect(early.map((line) => [line.attempt, line.retryInMs >= 500 * 2 ** (line.attempt - 1)])).toEqual([
        [1, true],
        [2, true],
      ]);
      sim = await startKubeSim({ port, namespaces: ['serin-system'] });
      const running = sim;
      expect(await poll(() => leaseHolder(running) || undefined, 'a lease holder', 60_000)).toMatch(/.+/);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
      run.cleanup();
    }
  }, 90_000);

  it('stops cleanly with exit 0 when SIGTERM arrives while it waits for the API server', async () => {
    const port = await freeLoopbackPort();
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: nowhere, cluster: {server: "http://127.0.0.1:${port}"}}]`,
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: c, context: {cluster: nowhere, user: u}}]',
        'current-context: c',
        '',
      ].join('\n'),
    );
    const run = spawnSerin(FROM_SOURCES, [
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--metrics-addr',
      '127.0.0.1:0',
    ]);
    try {
      expect(await poll(() => retryLines(run.stdout())[0], 'a retry line', 20_000)).toBeDefined();
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.stdout()).toMatch(/stopped while waiting for the API server/);
    } finally {
      run.child.kill('SIGKILL');
      run.cleanup();
    }
  }, 60_000);
});
