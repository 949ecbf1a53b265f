import { afterEach, describe, expect, it } from 'vitest';
import { Approval, Canary } from '../../src/api/index.ts';
import { canary, NS, startHarness, type Harness } from '../controller/harness.ts';
import { approve, status } from '../controller/rollout-helpers.ts';
import { kubeconfigFileFor, removeKubeconfigFiles, serin, toFinalPause } from './oncall-helpers.ts';
import { eventually } from '../support/index.ts';

let h: Harness;
afterEach(async () => {
  await h.stop();
  removeKubeconfigFiles();
});

/** The table's lines split into cells (kubectl separates columns by at least three spaces). */
function cells(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {3,}/));
}

describe('serin get canaries', () => {
  it('shows phase, step k/n, canary weight, what it waits for and the last analysis', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['get']);
    expect(run.code).toBe(0);
    const [header, row] = cells(run.stdout);
    expect(header).toEqual(['NAME', 'PHASE', 'STEP', 'WEIGHT', 'WAITING FOR', 'ANALYSIS', 'AGE']);
    expect(row?.slice(0, 6)).toEqual(['podinfo', 'Paused (Manual)', '5/5', '50%', 'approval', 'Successful']);
    expect(row?.[6]).toMatch(/^\d+s$/);
  });

  it('-A adds a NAMESPACE column and lists every namespace; -o wide adds revision, stable and message', async () => {
    h = await startHarness();
    await h.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    const second = canary();
    second.metadata = { name: 'web', namespace: 'other' };
    await h.client.create(second);
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['get', 'canaries', '-A', '-o', 'wide']);
    expect(run.code).toBe(0);
    const table = cells(run.stdout);
    expect(table[0]).toEqual([
      'NAMESPACE',
      'NAME',
      'PHASE',
      'STEP',
      'WEIGHT',
      'WAITING FOR',
      'ANALYSIS',
      'AGE',
      'REVISION',
      'STABLE',
      'MESSAGE',
    ]);
    expect(table.slice(1).map((r) => r.slice(0, 3))).toEqual([
      ['other', 'web', 'Unknown'],
      [NS, 'podinfo', 'Unknown'],
    ]);
  });

  it('-o json prints a v1 List whose items are Canaries by serin’s own schema', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['get', 'canaries', '-o', 'json']);
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout) as { apiVersion: string; kind: string; items: unknown[] };
    expect([list.apiVersion, list.kind, list.items.length]).toEqual(['v1', 'List', 1]);
    const parsed = Canary.safeParse(list.items[0]);
    expect(parsed.success ? parsed.data.status?.phase : parsed.error.message).toBe('Paused');
  });

  it('-o yaml prints the same List as YAML', async () => {
    h = await startHarness();
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['get', 'scn', '-o', 'yaml']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^apiVersion: v1\nkind: List\n[\s\S]*kind: Canary\n[\s\S]*name: podinfo\n/);
  });

  it('says so on stderr when the namespace has no Canary, and exits 0', async () => {
    h = await startHarness();
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['get', 'canaries', '-n', 'default']);
    expect([run.code, run.stdout, run.stderr]).toEqual([
      0,
      '',
      'No canaries.serin.dev found in namespace default.\n',
    ]);
  });

  it('names the list it was refused when RBAC forbids it (exit 4)', async () => {
    h = await startHarness();
    h.sim.forbid({ user: 'eve', verb: 'list', resource: 'canaries' });
    const run = await serin(kubeconfigFileFor(h.sim, 'eve'), ['get', 'canaries', '-A']);
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(
      'serin get: forbidden: cannot list canaries.serin.dev in all namespaces (RBAC): canaries.serin.dev is forbidden: User "eve" cannot list resource "canaries" in API group "serin.dev" at the cluster scope\n',
    );
  });

  it('rejects an unknown kind as a usage error (exit 2)', async () => {
    h = await startHarness();
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['get', 'pods']);
    expect([run.code, run.stderr]).toEqual([
      2,
      'serin get: unknown kind "pods": use canaries or approvals\n',
    ]);
  });

  it('-w prints a line for each change of a Canary until the signal aborts', async () => {
    h = await startHarness();
    const stop = new AbortController();
    let out = '';
    const { runCli } = await import('../../src/main.ts');
    const running = runCli(['get', '-w', '--kubeconfig', kubeconfigFileFor(h.sim, 'alice')], {
      out: (text) => (out += text),
      err: (text) => (out += text),
      signal: stop.signal,
    });
    await eventually(() => out.includes('Unknown'), 'the first table');
    await h.pass();
    await h.markRolledOut('podinfo-primary');
    await h.pass();
    expect((await status(h)).phase).toBe('Idle');
    await eventually(() => out.includes('Idle'), 'a line for the Idle Canary');
    stop.abort();
    expect(await running).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+PHASE/);
    expect(lines.slice(1).map((line) => line.split(/ {3,}/)[1])).toEqual(['Unknown', 'Initializing', 'Idle']);
  });
});

describe('serin get approvals', () => {
  it('shows who decided which revision and step, and with what result', async () => {
    h = await startHarness();
    await toFinalPause(h);
    const name = await approve(h, 'Promote', 4);
    await h.pass();
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['get', 'approvals']);
    expect(run.code).toBe(0);
    const [header, row] = cells(run.stdout);
    expect(header).toEqual(['NAME', 'CANARY', 'ACTION', 'REVISION', 'STEP', 'APPROVER', 'RESULT', 'AGE']);
    expect(row?.slice(0, 7)).toEqual([
      name,
      'podinfo',
      'Promote',
      (await status(h)).revision,
      '5',
      'oncall@example.com',
      'Applied',
    ]);
  });

  it('-o json items are Approvals by serin’s own schema', async () => {
    h = await startHarness();
    await toFinalPause(h);
    await approve(h, 'Promote', 4);
    const run = await serin(kubeconfigFileFor(h.sim, 'alice'), ['get', 'sap', '-o', 'json']);
    const list = JSON.parse(run.stdout) as { items: unknown[] };
    expect(list.items.map((item) => Approval.safeParse(item).success)).toEqual([true]);
  });
});
