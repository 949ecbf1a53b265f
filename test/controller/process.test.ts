import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import { FROM_SOURCES, modulesMatching, runControllerLifecycle } from '../harness/controller-process.ts';

let sim: KubeSim | undefined;
afterEach(async () => sim?.stop());

/** Modules `serin controller` must never load: the simulator, the emulators, the demo and the other verbs. */
const NOT_FOR_THE_CONTROLLER = /^src\/(sim\/|cli\/(demo|analyze|lint|judge)\.ts$)/;

describe('serin controller as a process', () => {
  it('takes the lease, serves /readyz, and on SIGTERM releases the lease and exits 0', async () => {
    sim = await startKubeSim({ port: 0, namespaces: ['serin-system'] });
    const life = await runControllerLifecycle(sim, FROM_SOURCES);
    expect(life.holderWhileRunning).toMatch(/.+/);
    expect(life.readyz).toEqual([200, 'ok (leading)\n']);
    expect(life.exitCode).toBe(0);
    expect(life.holderAfterExit).toBe('');
    expect(life.stdout).toMatch(/shutting down: finishing current passes and releasing the lease/);
  }, 60_000);

  it('never loads the simulator, the emulators, the demo or another verb', async () => {
    sim = await startKubeSim({ port: 0, namespaces: ['serin-system'] });
    const life = await runControllerLifecycle(sim, FROM_SOURCES);
    const root = pathToFileURL(`${process.cwd()}/`).href;
    // The record is real: the controller's own modules are in it.
    expect(modulesMatching(life.loadedModules, root, /^src\/cli\/controller\.ts$/)).toHaveLength(1);
    expect(modulesMatching(life.loadedModules, root, NOT_FOR_THE_CONTROLLER)).toEqual([]);
  }, 60_000);
});
