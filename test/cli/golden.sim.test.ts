/**
 * Golden files for what on-call reads: `serin get canaries` (table, wide, -A), `serin get approvals`
 * (table, wide) and `serin status NAME`, produced against the Kubernetes API simulator with the
 * controller played by reconcile passes, compared byte for byte with test/fixtures/oncall/*.txt.
 *
 * Deterministic: `Date` is faked and follows the harness's ManualClock (creation times, Events,
 * ages), and what the run generates is replaced by placeholders of the same width, so the columns
 * stay aligned: the revisions by `<revision>` and `<stable-r>`, Approval name suffixes by `<rnd>`.
 *
 * After an intended change of the output: `SERIN_UPDATE_GOLDEN=1 npx vitest run test/cli/golden.sim.test.ts`,
 * then review the diff of test/fixtures/oncall/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventRecorder } from '../../src/kube/index.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { canary, NS, startHarness, type Harness } from '../controller/harness.ts';
import { status } from '../controller/rollout-helpers.ts';
import { kubeconfigFileFor, removeKubeconfigFiles, serin, toFinalPause } from './oncall-helpers.ts';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'oncall');
const UPDATE = process.env.SERIN_UPDATE_GOLDEN === '1';
/** The harness's ManualClock starts here; `Date` starts here too. */
const START = Date.parse('2026-11-22T10:00:00Z');
const MINUTE = 60_000;

let h: Harness | undefined;
beforeEach(() => {
  // Only Date: timers stay real, so HTTP to the simulator and the verbs' own waits work as usual.
  vi.useFakeTimers({ toFake: ['Date'], now: START });
});
afterEach(async () => {
  vi.useRealTimers();
  await h?.stop();
  h = undefined;
  removeKubeconfigFiles();
});

/**
 * Starts the harness with `Date` following its ManualClock, so every timestamp is reproducible. The
 * controller's Events are stamped by the ManualClock plus one millisecond per Event: several Events
 * of one pass would otherwise tie, and ties are listed in the order of their names, which hash the
 * Canary's uid (random).
 */
async function harness(): Promise<Harness> {
  h = await startHarness();
  const clock = h.clock;
  const set = clock.set.bind(clock);
  clock.set = (at: number) => {
    set(at);
    vi.setSystemTime(clock.now());
  };
  let sequence = 0;
  (h.deps as { recorder: EventRecorder }).recorder = new EventRecorder({
    client: h.client,
    component: 'serin-controller',
    clock: { now: () => clock.now() + ++sequence, sleep: (ms, signal) => systemClock.sleep(ms, signal) },
  });
  return h;
}

/** Replaces what each run generates by same-width placeholders. */
async function normalize(text: string): Promise<string> {
  const { revision, stableRevision } = await status(h!);
  expect(revision, 'the Canary has a revision to replace').toMatch(/^[0-9a-f]{10}$/);
  expect(stableRevision, 'the Canary has a stable revision to replace').toMatch(/^[0-9a-f]{10}$/);
  return text
    .replaceAll(revision!, '<revision>')
    .replaceAll(stableRevision!, '<stable-r>')
    .replace(/\b(podinfo-(?:promote|abort|retry|pause|resume|promotefull)-)[a-z0-9]{5}\b/g, '$1<rnd>');
}

/** Runs `serin <args>` as alice, expects exit 0 and no stderr, and compares stdout with the golden file. */
async function expectGolden(file: string, args: string[]): Promise<void> {
  const run = await serin(kubeconfigFileFor(h!.sim, 'alice@example.com'), args);
  expect([run.code, run.stderr]).toEqual([0, '']);
  const actual = await normalize(run.stdout);
  const path = join(GOLDEN_DIR, file);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`${path} is missing: run with SERIN_UPDATE_GOLDEN=1 to write it`);
  expect(actual, `serin ${args.join(' ')} differs from ${file} (SERIN_UPDATE_GOLDEN=1 rewrites it)`).toBe(
    readFileSync(path, 'utf8'),
  );
}

/** A second Canary, in namespace `shop`, created later and never reconciled (phase Unknown). */
async function secondCanary(): Promise<void> {
  await h!.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  const web = canary();
  web.metadata = { name: 'web', namespace: 'shop' };
  await h!.client.create(web);
}

describe('golden output of serin get and serin status', () => {
  it('get canaries: table, wide and -A, for a rollout waiting for approval', async () => {
    await harness();
    await toFinalPause(h!);
    h!.clock.advance(2 * MINUTE);
    await secondCanary();
    // Ages: podinfo was created at START, web 2 minutes later; read 3 days 4 hours after START.
    vi.setSystemTime(START + (3 * 24 + 4) * 60 * MINUTE);
    await expectGolden('get-canaries.txt', ['get', 'canaries']);
    await expectGolden('get-canaries-wide.txt', ['get', 'canaries', '-o', 'wide']);
    await expectGolden('get-canaries-all-namespaces.txt', ['get', 'canaries', '-A']);
  });

  it('status NAME: the rollout waiting for approval at its last step', async () => {
    await harness();
    await toFinalPause(h!);
    h!.clock.advance(MINUTE);
    await expectGolden('status-paused.txt', ['status', 'podinfo']);
  });

  it('get approvals (table, wide) and status after a rejected Approval and an applied promote', async () => {
    await harness();
    await toFinalPause(h!);
    h!.clock.advance(MINUTE);
    // A hand-written Approval for a step the Canary is not at: the controller rejects it and says
    // why. A fixed name, so that the rows' order (by name) does not depend on generated suffixes.
    await h!.client.create({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Approval',
      metadata: { name: 'podinfo-by-hand', namespace: NS },
      spec: {
        canaryRef: { name: 'podinfo' },
        action: 'Promote',
        revision: (await status(h!)).revision,
        step: 2,
        approver: 'oncall@example.com',
      },
    });
    await h!.pass();
    h!.clock.advance(MINUTE);
    const promoted = serin(kubeconfigFileFor(h!.sim, 'alice@example.com'), [
      'promote',
      'podinfo',
      '--no-wait',
      '--reason',
      'error rate and p99 flat for 10 minutes',
    ]);
    expect((await promoted).code).toBe(0);
    await h!.pass();
    expect((await status(h!)).approvals?.map((a) => [a.approver, a.result])).toEqual([
      ['oncall@example.com', 'Rejected'],
      ['alice@example.com', 'Applied'],
    ]);
    h!.clock.advance(MINUTE);
    await expectGolden('get-approvals.txt', ['get', 'approvals']);
    await expectGolden('get-approvals-wide.txt', ['get', 'approvals', '-o', 'wide']);
    await expectGolden('status-promoting.txt', ['status', 'podinfo']);
  });
});
