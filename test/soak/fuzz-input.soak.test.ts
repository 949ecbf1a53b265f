/**
 * Fuzzed input into the reconcile pass (issue 17): fast-check makes valid, near-valid and invalid
 * Canaries, AnalysisTemplates, Approvals and VirtualServices (test/soak/fuzz-inputs.ts); each input
 * gets a namespace on a Kubernetes API simulator, reached over HTTP through the real client, and
 * the controller's reconcile passes run on it. The simulator serves serin's and Istio's CRDs without
 * their schemas (an installed CRD older than the controller), so the controller is the last line.
 *
 * Goals: 0 crashes (a pass that throws anything but the documented KubeError, or EffectError for an
 * effect that failed), 0 unhandled rejections, 0 VirtualService writes for invalid input, and every
 * invalid input visible as a condition (Stalled, or an Approval Rejected) and a Warning Event that
 * name the field. A valid input must reach Idle without a Stalled condition, so the rig can fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EffectError } from '../../src/controller/act.ts';
import { assembleDeps } from '../../src/controller/assemble.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import {
  createKubeClient,
  isKubeError,
  loadKubeConfig,
  type KubeClient,
  type KubeObject,
} from '../../src/kube/index.ts';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import { recordFigures, soakCount } from './figures.ts';
import { CURRENT_REVISION, fuzzInput, type FuzzInput } from './fuzz-inputs.ts';
import { NAME, inNamespace, schemalessCrds, type JsonObject } from './fuzz-world.ts';

const RUNS = soakCount({ full: 10_000, reduced: 300 });
const SEED = Number(process.env['SERIN_SOAK_SEED'] ?? 17);
const SERIN = 'serin.dev/v1alpha1';
/** Inputs per simulator. */
const SIM_BATCH = 200;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** What happened to one input. */
interface Verdict {
  crashes: string[];
  kubeErrors: number;
  effectErrors: number;
  vsWrites: number;
  /** The invalid input's field named by a condition and by a Warning Event (undefined for valid input). */
  visible?: { condition: boolean; event: boolean };
  /** A valid input reached Idle without Stalled. */
  healthy?: boolean;
  detail: string;
}

describe('fuzzed input into the reconcile pass', () => {
  let dir: string;
  let sim: KubeSim | undefined;
  let client: KubeClient | undefined;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => {
    rejections.push(reason);
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    dir = mkdtempSync(join(tmpdir(), 'serin-fuzz-crds-'));
    sim = await startKubeSim({ port: 0, crdFiles: schemalessCrds(dir) });
    client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
  }, 60_000);

  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`survives ${RUNS} fuzzed inputs: no crash, no traffic moved for invalid input, every problem named`, async () => {
    if (sim === undefined || client === undefined) throw new Error('the simulator did not start');
    let deps = assembleDeps({ client, logger: pino({ level: 'silent' }), clock: () => Date.now() });
    const inputs = fc.sample(fuzzInput, { numRuns: RUNS, seed: SEED });
    const started = performance.now();
    const byClass = new Map<string, Tally>();
    const byObject = new Map<string, Tally>();
    const failures: string[] = [];
    for (const [index, input] of inputs.entries()) {
      if (index > 0 && index % SIM_BATCH === 0) {
        // A fresh simulator: its lists scan every stored object, so thousands of namespaces slow each pass.
        await sim.stop();
        sim = await startKubeSim({ port: 0, crdFiles: schemalessCrds(dir) });
        client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
        deps = assembleDeps({ client, logger: pino({ level: 'silent' }), clock: () => Date.now() });
      }
      const verdict = await runInput({ sim, client, deps, input, namespace: `fz-${index}` });
      const ok = judge(input, verdict);
      tally(byClass, input.klass, input, verdict, ok);
      const object =
        input.mutations.length === 0 ? 'none' : [...new Set(input.mutations.map((x) => x.object))].join('+');
      tally(byObject, object, input, verdict, ok);
      if (!ok && failures.length < 20)
        failures.push(`fz-${index} ${describeInput(input)}: ${verdict.detail}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const sum = (key: keyof Tally) => [...byClass.values()].reduce((total, t) => total + t[key], 0);
    const crashes = sum('crashes');
    const invalidWrites = sum('invalidVsWrites');
    const unnamed = sum('unnamed');
    const unhealthy = sum('unhealthy');
    const met = (n: number) => (n === 0 ? 'met' : 'missed');
    const columns = [
      'inputs',
      'passes threw KubeError',
      'threw EffectError',
      'crashes',
      'VS writes (invalid input)',
      'condition names the field',
      'Warning Event names the field',
      'valid input not Idle',
    ];
    const row = (name: string, t: Tally) => [
      name,
      t.inputs,
      t.kubeErrors,
      t.effectErrors,
      t.crashes,
      t.invalidVsWrites,
      t.invalid === 0 ? '-' : `${t.conditionNamed}/${t.invalid}`,
      t.invalid === 0 ? '-' : `${t.eventNamed}/${t.invalid}`,
      t.valid === 0 ? '-' : `${t.unhealthy}/${t.valid}`,
    ];
    recordFigures({
      id: 'fuzz-input',
      title: `Fuzzed input × ${RUNS.toLocaleString('en-US')} into the reconcile pass`,
      columns: ['class', ...columns],
      rows: [
        ...[...byClass].sort(([a], [b]) => a.localeCompare(b)).map(([name, t]) => row(name, t)),
        ...[...byObject]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, t]) => row(`mutated: ${name}`, t)),
      ],
      goals: [
        `crashes: ${crashes} (goal 0): ${met(crashes)}`,
        `unhandled rejections: ${rejections.length} (goal 0): ${met(rejections.length)}`,
        `VirtualService writes for invalid input: ${invalidWrites} (goal 0): ${met(invalidWrites)}`,
        `invalid inputs without a condition and a Warning Event naming the field: ${unnamed} (goal 0): ${met(unnamed)}`,
        `valid inputs not Idle, or Stalled: ${unhealthy} (goal 0): ${met(unhealthy)}`,
      ],
      notes: [
        `${RUNS} inputs from seed ${SEED} (SERIN_SOAK_SEED) in ${seconds.toFixed(0)} s (${((seconds * 1000) / RUNS).toFixed(0)} ms per input): one namespace each on a simulator over HTTP (a fresh one every ${SIM_BATCH} inputs), 2 reconcile passes (the primary marked rolled out between them), and one more after any Approvals.`,
        'near-valid = one mutation of a valid world (docs/examples/canary.yaml shape); invalid = two or three mutations, or garbage where a spec should be. Rows "mutated: X" split the same inputs by the kind of object mutated.',
        "The simulator serves serin's and Istio's CRDs without schemas (a CRD older than the controller), so every input reaches the controller.",
      ],
    });
    expect(failures).toEqual([]);
    expect(rejections).toEqual([]);
    expect({ crashes, invalidWrites, unnamed, unhealthy }).toEqual({
      crashes: 0,
      invalidWrites: 0,
      unnamed: 0,
      unhealthy: 0,
    });
  }, 1_800_000);
});

interface Tally {
  inputs: number;
  kubeErrors: number;
  effectErrors: number;
  crashes: number;
  invalidVsWrites: number;
  invalid: number;
  conditionNamed: number;
  eventNamed: number;
  unnamed: number;
  valid: number;
  unhealthy: number;
}

function tally(map: Map<string, Tally>, key: string, input: FuzzInput, verdict: Verdict, ok: boolean): void {
  const t = map.get(key) ?? {
    inputs: 0,
    kubeErrors: 0,
    effectErrors: 0,
    crashes: 0,
    invalidVsWrites: 0,
    invalid: 0,
    conditionNamed: 0,
    eventNamed: 0,
    unnamed: 0,
    valid: 0,
    unhealthy: 0,
  };
  map.set(key, t);
  t.inputs++;
  t.kubeErrors += verdict.kubeErrors;
  t.effectErrors += verdict.effectErrors;
  t.crashes += verdict.crashes.length;
  if (input.klass === 'valid') {
    t.valid++;
    if (verdict.healthy !== true) t.unhealthy++;
    return;
  }
  t.invalid++;
  t.invalidVsWrites += verdict.vsWrites;
  if (verdict.visible?.condition) t.conditionNamed++;
  if (verdict.visible?.event) t.eventNamed++;
  if (!ok && !(verdict.visible?.condition && verdict.visible.event)) t.unnamed++;
}

function judge(input: FuzzInput, verdict: Verdict): boolean {
  if (verdict.crashes.length > 0) return false;
  if (input.klass === 'valid') return verdict.healthy === true;
  return verdict.vsWrites === 0 && verdict.visible?.condition === true && verdict.visible.event;
}

function describeInput(input: FuzzInput): string {
  return input.mutations.length === 0
    ? 'valid'
    : input.mutations.map((x) => `${x.object}: ${x.name}`).join(' + ');
}

const named = (text: string | undefined, fields: readonly string[]) =>
  text !== undefined && fields.some((field) => text.includes(field));

async function runInput(run: {
  sim: KubeSim;
  client: KubeClient;
  deps: ReturnType<typeof assembleDeps>;
  input: FuzzInput;
  namespace: string;
}): Promise<Verdict> {
  const { sim, client, deps, input, namespace } = run;
  const { world } = input;
  const verdict: Verdict = { crashes: [], kubeErrors: 0, effectErrors: 0, vsWrites: 0, detail: '' };
  sim.audit.clear();
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  for (const object of [world.deployment, world.virtualService, ...world.templates, world.canary]) {
    if (object !== undefined) await client.create(inNamespace(object, namespace));
  }
  const pass = async (name = NAME) => {
    try {
      await reconcile(deps, { namespace, name });
    } catch (err) {
      if (isKubeError(err)) verdict.kubeErrors++;
      else if (err instanceof EffectError) verdict.effectErrors++;
      else verdict.crashes.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
    }
  };
  await pass();
  const primary = await client.find({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace,
    name: `${NAME}-primary`,
  });
  if (primary) await markRolledOut(client, primary, namespace);
  await pass();
  const canaryRef = { apiVersion: SERIN, kind: 'Canary', namespace, name: NAME };
  const vsWrites = () =>
    sim.audit
      .entries()
      .filter(
        (e) =>
          e.kind === 'resource' &&
          e.resource === 'virtualservices' &&
          e.namespace === namespace &&
          (e.verb === 'patch' || e.verb === 'update' || e.verb === 'delete'),
      ).length;
  const approvals: string[] = [];
  if (world.approvals.length > 0) {
    const before = vsWrites();
    const revision =
      ((await client.get(canaryRef)).status as { revision?: string } | undefined)?.revision ?? '';
    for (const approval of world.approvals) {
      const withRevision = JSON.parse(
        JSON.stringify(approval).replaceAll(CURRENT_REVISION, revision),
      ) as JsonObject;
      const created = await client.create(inNamespace(withRevision, namespace));
      approvals.push(created.metadata.name ?? '');
    }
    // The controller wakes the Canary each Approval names (src/controller/controller.ts), known or not.
    const named = new Set(
      world.approvals.map((a) => (a['spec'] as { canaryRef?: { name?: unknown } }).canaryRef?.name),
    );
    for (const name of named) if (typeof name === 'string') await pass(name);
    verdict.vsWrites = vsWrites() - before;
  } else {
    verdict.vsWrites = vsWrites();
  }
  const canary = await client.get(canaryRef);
  const status = (canary.status ?? {}) as { phase?: string; conditions?: Condition[] };
  const conditions = status.conditions ?? [];
  const warnings = (await client.list('v1', 'Event', { namespace })).items
    .map((e) => e as unknown as { type?: string; reason?: string; message?: string })
    .filter((e) => e.type === 'Warning');
  const stalled = conditions.find((c) => c.type === 'Stalled' && c.status === 'True');
  if (input.klass === 'valid') {
    verdict.healthy = status.phase === 'Idle' && stalled === undefined;
    verdict.detail = `phase ${status.phase ?? 'none'}, ${stalled ? `Stalled: ${stalled.message ?? ''}` : 'not Stalled'}`;
    return verdict;
  }
  const fields = input.mutations.map((x) => x.field);
  if (world.approvals.length > 0) {
    // The Approval's own status is its condition: Rejected, with a reason that names the field.
    const reasons = await Promise.all(
      approvals.map(async (name) => {
        const found = await client.get<KubeObject & { status?: { phase?: string; reason?: string } }>({
          apiVersion: SERIN,
          kind: 'Approval',
          namespace,
          name,
        });
        return found.status ?? {};
      }),
    );
    verdict.visible = {
      condition: reasons.every((r) => r.phase === 'Rejected' && named(r.reason, fields)),
      event: warnings.some((e) => named(e.message, fields)),
    };
    verdict.detail = `approvals ${JSON.stringify(reasons)}; warnings ${JSON.stringify(warnings.map((e) => e.message))}; crashes ${verdict.crashes.join(' | ').slice(0, 400)}`;
    return verdict;
  }
  const problem = [stalled, conditions.find((c) => c.type === 'Ready' && c.status === 'False')];
  verdict.visible = {
    condition: problem.some((c) => c !== undefined && named(c.message, fields)),
    event: warnings.some((e) => named(e.message, fields)),
  };
  verdict.detail = `fields ${fields.join(', ')}; vs writes ${verdict.vsWrites}; conditions ${JSON.stringify(conditions.map((c) => `${c.type}=${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`))}; warnings ${JSON.stringify(warnings.map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`))}; crashes ${verdict.crashes.join(' | ').slice(0, 400)}`;
  return verdict;
}

async function markRolledOut(client: KubeClient, dep: KubeObject, namespace: string): Promise<void> {
  const replicas = (dep.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  await client.mergePatch(
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: `${NAME}-primary` },
    {
      status: {
        observedGeneration: dep.metadata.generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
      },
    },
    { subresource: 'status' },
  );
}
