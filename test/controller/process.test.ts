import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';

let sim: KubeSim | undefined;
afterEach(async () => sim?.stop());

function lease(sim: KubeSim): { holderIdentity?: string } | undefined {
  return sim.store.get('coordination.k8s.io/v1', 'Lease', 'serin-system', 'serin-controller')?.spec as
    { holderIdentity?: string } | undefined;
}

describe('serin controller as a process', () => {
  it('takes the lease, serves /readyz, and on SIGTERM releases the lease and exits 0', async () => {
    sim = await startKubeSim({ port: 0, namespaces: ['serin-system'] });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/main.ts',
        'controller',
        '--kubeconfig',
        sim.kubeconfigPath,
        '--metrics-addr',
        '127.0.0.1:0',
        '--log-level',
        'info',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
    const deadline = Date.now() + 30_000;
    while (!lease(sim)?.holderIdentity && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(lease(sim)?.holderIdentity).toMatch(/.+/);
    const metricsUrl = /"metrics":"(http:\/\/[^"]+)"/.exec(output)?.[1];
    expect(metricsUrl).toBeDefined();
    const readyz = await fetch(`${metricsUrl ?? ''}/readyz`);
    expect([readyz.status, await readyz.text()]).toEqual([200, 'ok (leading)\n']);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lease(sim)?.holderIdentity ?? '').toBe('');
    expect(output).toMatch(/shutting down: finishing current passes and releasing the lease/);
  }, 60_000);
});
