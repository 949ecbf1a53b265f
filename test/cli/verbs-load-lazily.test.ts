import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import {
  FROM_SOURCES,
  modulesMatching,
  runControllerLifecycle,
  spawnSerin,
} from '../harness/controller-process.ts';

let sim: KubeSim | undefined;
afterEach(async () => sim?.stop());

const root = pathToFileURL(`${process.cwd()}/`).href;
/** The on-call verbs' own modules (what `serin controller` has no use for). */
const ONCALL_MODULES =
  /^src\/(cli\/(get|status|promote|abort|retry|pause|resume|approval-verb|approval-rules|follow|table|cluster|completion|completion-scripts)\.ts|kube\/who-am-i\.ts|readmodel\/(status-view|status-screen|waiting)\.ts)$/;

async function loadedBy(args: string[]): Promise<string[]> {
  const run = spawnSerin(FROM_SOURCES, args, { recordLoads: true });
  expect(await run.exited).toBe(0);
  const modules = modulesMatching(run.loadedModules(), root, /^src\//);
  run.cleanup();
  return modules.map((url) => url.slice(root.length));
}

describe('the on-call verbs load lazily', () => {
  it('serin controller never loads an on-call verb or what only they use', async () => {
    sim = await startKubeSim({ port: 0, namespaces: ['serin-system'] });
    const life = await runControllerLifecycle(sim, FROM_SOURCES);
    expect(life.exitCode).toBe(0);
    // The record is real: the controller's own module is in it.
    expect(modulesMatching(life.loadedModules, root, /^src\/cli\/controller\.ts$/)).toHaveLength(1);
    expect(modulesMatching(life.loadedModules, root, ONCALL_MODULES)).toEqual([]);
  }, 60_000);

  it('serin promote --help loads promote and the module it shares, but no other verb and not the simulator', async () => {
    const loaded = await loadedBy(['promote', '--help']);
    expect(loaded).toContain('src/cli/promote.ts');
    expect(loaded).toContain('src/cli/approval-verb.ts');
    expect(
      loaded.filter((m) =>
        /^src\/(sim\/|cli\/(get|status|abort|retry|pause|resume|controller|demo|analyze|lint|judge)\.ts$)/.test(
          m,
        ),
      ),
    ).toEqual([]);
  }, 30_000);
});
