import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../../src/controller/controller.ts';
import { controllerCaches } from '../../src/controller/caches.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import { ControllerMetrics } from '../../src/telemetry/metrics.ts';
import type { AuditRecord } from '../../src/sim/kube/index.ts';
import {
  KubeClient,
  loadKubeConfig,
  ClientNodeTransport,
  type KubeObject,
  type KubeTransport,
} from '../../src/kube/index.ts';
import { eventually, poll } from '../support/index.ts';
import { canary, deployment, NS, startHarness, type Harness } from './harness.ts';

/**
 * Canaries at rest (CI: 3). SERIN_CACHED_READS_CANARIES asks for more, e.g. 50 for the figure in
 * docs/performance.md.
 */
const COUNT = Math.max(1, Number(process.env.SERIN_CACHED_READS_CANARIES ?? 3));
/** Resync passes per Canary measured. */
const ROUNDS = 3;
const silent = pino({ level: 'silent' });

function virtualService(name: string): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: NS },
    spec: {
      hosts: [`${name}.example.com`],
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: `${name}-primary` }, weight: 100 },
            { destination: { host: `${name}-canary` }, weight: 0 },
          ],
        },
      ],
    },
  };
}

function canaryFor(name: string): KubeObject {
  const base = canary({
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    service: { name, port: 9898 },
    trafficRouting: { istio: { virtualServices: [{ name, routes: ['primary'] }] } },
  });
  return { ...base, metadata: { name, namespace: NS } };
}

/** The names of the Canaries in the world: the harness's podinfo and app-1..app-(COUNT-1). */
const names = ['podinfo', ...Array.from({ length: COUNT - 1 }, (_, i) => `app-${i + 1}`)];

async function world(h: Harness): Promise<void> {
  for (const name of names.slice(1)) {
    await h.client.create(deployment(name, `${name}:1.0`));
    await h.client.create(virtualService(name));
    await h.client.create(canaryFor(name));
  }
}

/** Reads a pass sent: gets and lists (watches are the informers' and are left out). */
function reads(h: Harness): AuditRecord[] {
  return h.sim.audit
    .entries()
    .filter((r) => r.kind === 'resource' && (r.verb === 'get' || r.verb === 'list'));
}

const phase = async (h: Harness, name: string): Promise<string | undefined> =>
  ((await h.get('Canary', name))?.status as { phase?: string } | undefined)?.phase;

/**
 * Starts a Controller over the harness's world, rolls out every primary and waits until every
 * Canary is Idle. `onPass` hears of each pass that reaches its effects (routerFor is called once in
 * each), with the Canary's name.
 */
async function controllerToIdle(
  harness: Harness,
  onPass: (canary: string) => void,
  metrics?: ControllerMetrics,
): Promise<Controller> {
  const deps = {
    ...harness.deps,
    ...(metrics ? { metrics } : {}),
    routerFor: (c: Parameters<typeof harness.deps.routerFor>[0]) => {
      onPass((c as { metadata?: { name?: string } }).metadata?.name ?? '');
      return harness.deps.routerFor(c);
    },
  };
  const started = new Controller({ deps, logger: silent, namespace: NS, workers: 2 });
  controller = started; // stopped by afterEach even if a wait below fails
  started.start();
  for (const name of names) {
    await poll(() => harness.get('Deployment', `${name}-primary`), `${name}-primary created`, 20_000);
    await harness.markRolledOut(`${name}-primary`);
  }
  for (const name of names) {
    await eventually(async () => (await phase(harness, name)) === 'Idle', `${name} Idle`, 20_000);
  }
  return started;
}

let h: Harness | undefined;
let controller: Controller | undefined;
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
  await h?.stop();
  h = undefined;
});

describe('cached reads', () => {
  it('a Canary at rest costs no API reads per resync pass under the Controller (only watches)', async () => {
    h = await startHarness();
    await world(h);
    const harness = h;
    let passes = 0;
    const metrics = new ControllerMetrics();
    controller = await controllerToIdle(
      harness,
      () => {
        passes++;
      },
      metrics,
    );

    // Resync passes, as the 300 s timer would start them.
    harness.sim.audit.clear();
    const before = passes;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const name of names) controller.queue.add(`${NS}/${name}`);
      await eventually(() => passes >= before + round * names.length, `round ${round} of passes`, 20_000);
    }
    const cached = reads(harness);
    expect(passes - before).toBeGreaterThanOrEqual(ROUNDS * names.length);
    expect(cached).toEqual([]);
    // Every pass the workers took was first timed in the queue.
    const waits = /^serin_workqueue_queue_duration_seconds_count (\d+)$/m.exec(
      await metrics.registry.metrics(),
    );
    expect(Number(waits?.[1])).toBeGreaterThanOrEqual(passes);
    await controller.stop();
    controller = undefined;

    // The same passes reading live, as they did before the caches: the count the caches save.
    harness.sim.audit.clear();
    for (let round = 1; round <= ROUNDS; round++)
      for (const name of names) await reconcile(harness.deps, { namespace: NS, name });
    const live = reads(harness);
    const perPass = live.length / (ROUNDS * names.length);
    expect(perPass).toBeGreaterThan(0);
    const resources = [...new Set(live.map((r) => (r.kind === 'resource' ? `${r.verb} ${r.resource}` : '')))];
    console.log(
      `cached reads: ${names.length} Canaries at rest, ${ROUNDS} resync passes each: ` +
        `${cached.length} API reads with the Controller's caches; ${live.length} without them ` +
        `(${perPass} per pass: ${resources.sort().join(', ')}), ${perPass * 12} per Canary per hour ` +
        `at one pass per 300 s`,
    );
  }, 120_000);

  it('a VirtualService edited by hand wakes the Canary that routes it (found through the index)', async () => {
    h = await startHarness();
    await world(h);
    const harness = h;
    // Which Canaries a VirtualService wakes is routedVirtualServices' index (src/controller/caches.test.ts).
    const passes = new Map<string, number>();
    controller = await controllerToIdle(harness, (name) => {
      passes.set(name, (passes.get(name) ?? 0) + 1);
    });
    // The resync timer (300 s at rest) never fires in this test: a pass now comes from a watch.
    const before = new Map(passes);
    const edited = names.at(-1) ?? 'podinfo';
    const ref = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: NS, name: edited };
    await harness.client.jsonPatch(ref, [
      { op: 'replace', path: '/spec/http/0/route/0/weight', value: 50 },
      { op: 'replace', path: '/spec/http/0/route/1/weight', value: 50 },
    ]);
    const route = async (): Promise<unknown> =>
      (
        (await harness.get('VirtualService', edited))?.spec as { http: { route: { weight: number }[] }[] }
      ).http[0]?.route.map((r) => r.weight);
    await eventually(
      async () => JSON.stringify(await route()) === '[100,0]',
      `${edited} weights restored`,
      20_000,
    );
    expect(passes.get(edited) ?? 0).toBeGreaterThan(before.get(edited) ?? 0);
  }, 120_000);

  it("waits for a cache to show serin's own write before answering from it", async () => {
    h = await startHarness();
    const harness = h;
    // The informers' watch events are held back until the test lets them through.
    const inner: KubeTransport = new ClientNodeTransport(
      loadKubeConfig({ kubeconfig: harness.sim.kubeconfigPath }).kubeConfig,
    );
    const held: (() => void)[] = [];
    let holding = true;
    const deliver = (): void => {
      holding = false;
      for (const event of held.splice(0)) event();
    };
    const slow: KubeTransport = {
      send: (req) => inner.send(req),
      watch: (path, query, onEvent) =>
        inner.watch(path, query, (event) => {
          if (holding)
            held.push(() => {
              onEvent(event);
            });
          else onEvent(event);
        }),
    };
    const client = new KubeClient({ transport: slow });
    const { caches, reader } = controllerCaches(client, NS);
    caches.deployments.start();
    try {
      await caches.deployments.synced;
      const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'podinfo' };
      const label = (o: KubeObject | undefined) => o?.metadata.labels?.release;

      // Someone else's write: the cache (and so the reader) shows it only once the watch does.
      await harness.client.mergePatch(ref, { metadata: { labels: { release: 'theirs' } } });
      expect(label(await reader.get(ref))).toBeUndefined();

      // serin's own write: the next read waits for the cache to show it.
      const written = await client.mergePatch(ref, { metadata: { labels: { release: 'ours' } } });
      let answered = false;
      const reading = reader.get(ref).finally(() => {
        answered = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(answered, 'answered from a cache that does not show the write').toBe(false);
      deliver();
      const read = await reading;
      expect(label(read)).toBe('ours');
      expect(read?.metadata.resourceVersion).toBe(written.metadata.resourceVersion);
      expect(reader.pendingWrites()).toBe(0);
    } finally {
      reader.close();
      await caches.deployments.stop();
    }
  }, 30_000);

  it('caches objects without managedFields, and finds Approvals by the Canary they name', async () => {
    h = await startHarness();
    const harness = h;
    const { caches, reader } = controllerCaches(harness.client, NS);
    const applied: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied', namespace: NS },
      data: { key: 'value' },
    };
    await harness.client.applyPatch(applied);
    const approval = (name: string, canaryName: string): KubeObject => ({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Approval',
      metadata: { name, namespace: NS },
      spec: {
        canaryRef: { name: canaryName },
        action: 'Promote',
        approver: 'oncall@example.com',
        revision: 'r1',
      },
    });
    await harness.client.create(approval('for-podinfo', 'podinfo'));
    await harness.client.create(approval('for-other', 'other'));
    caches.configMaps.start();
    caches.approvals.start();
    try {
      await Promise.all([caches.configMaps.synced, caches.approvals.synced]);
      const live = await harness.client.get({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: NS,
        name: 'applied',
      });
      expect('managedFields' in live.metadata).toBe(true);
      const cached = await reader.get({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: NS,
        name: 'applied',
      });
      expect(cached?.metadata.name).toBe('applied');
      expect(cached && 'managedFields' in cached.metadata).toBe(false);
      expect(cached?.data).toEqual({ key: 'value' });

      const found = await reader.approvals(NS, 'podinfo');
      expect(found.map((a) => a.metadata.name)).toEqual(['for-podinfo']);
      await harness.client.delete({
        apiVersion: 'serin.dev/v1alpha1',
        kind: 'Approval',
        namespace: NS,
        name: 'for-podinfo',
      });
      await eventually(
        async () => (await reader.approvals(NS, 'podinfo')).length === 0,
        'the deleted Approval gone from the index',
        10_000,
      );
    } finally {
      reader.close();
      await Promise.all([caches.configMaps.stop(), caches.approvals.stop()]);
    }
  }, 30_000);
});
