import { afterEach, describe, expect, it } from 'vitest';
import { reconcile, type ReconcilerDeps } from '../../src/controller/reconcile.ts';
import { ControllerMetrics } from '../../src/telemetry/metrics.ts';
import { NS, startHarness, type Harness } from './harness.ts';
import { approve, image, release, startRollout, status, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** Reconcile passes with the controller's metrics (the harness's own passes have none). */
function withMetrics(deps: ReconcilerDeps = h.deps): {
  pass: () => Promise<unknown>;
  metrics: ControllerMetrics;
} {
  const metrics = new ControllerMetrics();
  return { metrics, pass: () => reconcile({ ...deps, metrics }, { namespace: NS, name: 'podinfo' }) };
}

async function conditions(): Promise<Record<string, Condition>> {
  const canary = await h.get('Canary', 'podinfo');
  const list = (canary?.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  return Object.fromEntries(list.map((c) => [c.type, c]));
}

async function failures(metrics: ControllerMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.reconcileFailures.get();
  return Object.fromEntries(
    values.map((v) => [`${String(v.labels.reason)}/${String(v.labels.stage)}`, v.value]),
  );
}

async function warnings(): Promise<{ reason: string; message: string; count?: number }[]> {
  return (await h.events()).filter((e) => e.type === 'Warning');
}

describe('every failed pass is visible on the Canary', () => {
  it('a 403 on the primary Deployment write stalls the Canary naming the verb and resource, and traffic stays', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    const before = await status(h);
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
    h.sim.forbid({ verb: 'patch', apiGroup: 'apps', resource: 'deployments', name: 'podinfo-primary' });
    await approve(h, 'PromoteFull');
    const { pass, metrics } = withMetrics();

    await expect(pass()).rejects.toMatchObject({ code: 'Forbidden' });

    const refused = 'forbidden: serin cannot patch deployments.apps "podinfo-primary" in namespace "test"';
    const shown = await conditions();
    expect(shown.Stalled).toMatchObject({ status: 'True', reason: 'ApiForbidden', message: refused });
    expect(shown.Ready).toMatchObject({ status: 'False', reason: 'ApiForbidden' });
    expect(await warnings()).toContainEqual(
      expect.objectContaining({ reason: 'ApiForbidden', message: refused }),
    );
    expect(await failures(metrics)).toEqual({ 'ApiForbidden/effects': 1 });
    // Nothing of the pass is committed and traffic does not move.
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
    expect(await image(h, 'podinfo-primary')).toBe('podinfo:1.0');
    const after = await status(h);
    expect(after.message).toBe(refused);
    expect({ ...after, message: before.message }).toMatchObject({
      phase: before.phase,
      currentStepIndex: before.currentStepIndex,
      canaryWeight: 20,
      revision: before.revision,
    });
  });

  it('a retry that fails the same way writes no new status, and bumps the Event count and the metric', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    h.sim.forbid({ verb: 'patch', apiGroup: 'apps', resource: 'deployments', name: 'podinfo-primary' });
    await approve(h, 'PromoteFull');
    const { pass, metrics } = withMetrics();
    await expect(pass()).rejects.toThrow();
    const version = (await h.get('Canary', 'podinfo'))?.metadata.resourceVersion;
    await expect(pass()).rejects.toThrow();
    expect((await h.get('Canary', 'podinfo'))?.metadata.resourceVersion).toBe(version);
    expect((await warnings()).find((e) => e.reason === 'ApiForbidden')?.count).toBe(2);
    expect(await failures(metrics)).toEqual({ 'ApiForbidden/effects': 2 });
  });

  it('a 403 on the VirtualService names the verb and resource in the router error, and the weights stay', async () => {
    h = await startHarness();
    await toIdle(h);
    await release(h, 'podinfo:2.0');
    await h.pass();
    await h.markRolledOut('podinfo');
    h.sim.forbid({ verb: 'patch', resource: 'virtualservices', name: 'podinfo' });
    const { pass, metrics } = withMetrics();

    await expect(pass()).rejects.toMatchObject({ code: 'ApiError' });

    const refused =
      'forbidden: serin cannot patch virtualservices.networking.istio.io "podinfo" in namespace "test"';
    const shown = await conditions();
    expect(shown.Reconciling).toMatchObject({ status: 'True', reason: 'ApiError' });
    expect(shown.Reconciling?.message).toContain(refused);
    expect((await warnings()).find((e) => e.reason === 'ApiError')?.message).toContain(refused);
    expect(await failures(metrics)).toEqual({ 'ApiError/effects': 1 });
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
  });

  it('a failed read while gathering shows as a retryable reason, and the next pass clears it', async () => {
    h = await startHarness();
    await toIdle(h);
    const { pass, metrics } = withMetrics();
    // The client retries a GET on 5xx: four failures in a row exhaust it.
    h.sim.faults.failNext({
      method: 'GET',
      path: `/apis/apps/v1/namespaces/${NS}/deployments/podinfo`,
      count: 4,
      status: 500,
    });
    await expect(pass()).rejects.toMatchObject({ code: 'Server' });

    const shown = await conditions();
    expect(shown.Reconciling).toMatchObject({ status: 'True', reason: 'ApiServerError' });
    expect(shown.Reconciling?.message).toBe(
      'get deployments.apps "podinfo" in namespace "test": Internal error occurred: injected fault (HTTP 500 Server)',
    );
    expect(shown.Stalled).toMatchObject({ status: 'False' });
    expect(shown.Ready).toMatchObject({ status: 'False', reason: 'ApiServerError' });
    expect((await warnings()).map((e) => e.reason)).toEqual(['ApiServerError']);
    expect(await failures(metrics)).toEqual({ 'ApiServerError/gather': 1 });
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });

    await pass();
    expect(await conditions()).toMatchObject({
      Ready: { status: 'True', reason: 'Idle' },
      Reconciling: { status: 'False', reason: 'Idle' },
    });
    expect((await status(h)).phase).toBe('Idle');
  });

  it('when even the Canary cannot be read, the Event goes to it by name and the metric counts it', async () => {
    h = await startHarness();
    await toIdle(h);
    const { pass, metrics } = withMetrics();
    const before = (await h.get('Canary', 'podinfo'))?.metadata.resourceVersion;
    // Four attempts for the pass's own read, four for the read that would show the problem.
    h.sim.faults.failNext({
      method: 'GET',
      path: `/apis/serin.dev/v1alpha1/namespaces/${NS}/canaries/podinfo`,
      count: 8,
      status: 500,
    });

    await expect(pass()).rejects.toMatchObject({ code: 'Server' });

    expect((await h.get('Canary', 'podinfo'))?.metadata.resourceVersion).toBe(before);
    const [event] = (await h.events()).filter((e) => e.type === 'Warning') as unknown as {
      reason: string;
      message: string;
      involvedObject: { kind: string; name: string };
    }[];
    expect(event).toMatchObject({
      reason: 'ApiServerError',
      message:
        'get canaries.serin.dev "podinfo" in namespace "test": Internal error occurred: injected fault (HTTP 500 Server)',
      involvedObject: { kind: 'Canary', name: 'podinfo' },
    });
    expect(await failures(metrics)).toEqual({ 'ApiServerError/gather': 1 });
  });

  it('a status write that fails still gives a Warning Event and the metric', async () => {
    h = await startHarness();
    await toIdle(h);
    h.sim.forbid({ verb: 'patch', apiGroup: 'serin.dev', resource: 'canaries', name: 'podinfo' });
    await release(h, 'podinfo:2.0');
    const { pass, metrics } = withMetrics();
    const before = (await h.get('Canary', 'podinfo'))?.metadata.resourceVersion;

    await expect(pass()).rejects.toMatchObject({ code: 'Forbidden' });

    expect((await h.get('Canary', 'podinfo'))?.metadata.resourceVersion).toBe(before);
    expect(await warnings()).toContainEqual(
      expect.objectContaining({
        reason: 'ApiForbidden',
        message: 'forbidden: serin cannot patch canaries.serin.dev/status "podinfo" in namespace "test"',
      }),
    );
    expect(await failures(metrics)).toEqual({ 'ApiForbidden/commit': 1 });
    const { values } = await metrics.statusWriteFailures.get();
    expect(values.map((v) => [v.labels.reason, v.value])).toEqual([['ApiForbidden', 1]]);
  });

  it('a pass fenced off (leadership lost) writes no status and no Event, and counts no failure', async () => {
    h = await startHarness();
    await toIdle(h);
    await release(h, 'podinfo:2.0');
    const fence = new AbortController();
    fence.abort();
    const { pass, metrics } = withMetrics({ ...h.deps, signal: fence.signal });
    const before = await h.get('Canary', 'podinfo');
    const events = await h.events();

    await expect(pass()).rejects.toMatchObject({ code: 'Aborted' });

    expect((await h.get('Canary', 'podinfo'))?.metadata.resourceVersion).toBe(
      before?.metadata.resourceVersion,
    );
    expect(await h.events()).toEqual(events);
    expect(await failures(metrics)).toEqual({});
  });
});
