import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { NS, canary, startHarness, type Harness } from './harness.ts';
import { startRollout, status, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

/** The AnalysisTemplate CRD as an earlier release installed it: metrics not yet keyed by name. */
function olderTemplateCrd(): string {
  const crd = parse(readFileSync('crds/analysistemplates.serin.dev.yaml', 'utf8'));
  const metrics = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.metrics;
  expect(metrics['x-kubernetes-list-type']).toBe('map');
  delete metrics['x-kubernetes-list-type'];
  delete metrics['x-kubernetes-list-map-keys'];
  const file = join(mkdtempSync(join(tmpdir(), 'serin-older-crd-')), 'analysistemplates.yaml');
  writeFileSync(file, stringify(crd));
  return file;
}

const SECOND = 1000;

describe('bad input never moves traffic', () => {
  it('leaves the VirtualService byte-for-byte untouched when a named route does not exist, with a condition and an Event', async () => {
    h = await startHarness({
      canary: canary({
        trafficRouting: { istio: { virtualServices: [{ name: 'podinfo', routes: ['no-such-route'] }] } },
      }),
    });
    const before = await h.vsYaml();
    await h.pass();
    await h.markRolledOut('podinfo-primary');
    await expect(h.pass()).rejects.toThrow(/no-such-route/);
    expect(await h.vsYaml()).toBe(before);
    const stalled = await status(h);
    expect(stalled.phase).toBe('Initializing');
    const conditions = (await h.get('Canary', 'podinfo'))?.status as {
      conditions: { type: string; status: string; reason: string }[];
    };
    expect(conditions.conditions.find((c) => c.type === 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'RouteNotFound',
    });
    expect((await h.events()).find((e) => e.reason === 'RouteNotFound')?.type).toBe('Warning');
  });

  it('leaves traffic where it is when a referenced AnalysisTemplate is missing', async () => {
    h = await startHarness({ templates: [] });
    const before = await h.vsYaml();
    await h.pass();
    expect(await h.vsYaml()).toBe(before);
    const stalled = (await h.get('Canary', 'podinfo'))?.status as {
      message: string;
      conditions: { type: string; reason: string }[];
    };
    expect(stalled.message).toBe('AnalysisTemplate "success-rate" not found (spec.steps)');
    expect(stalled.conditions.find((c) => c.type === 'Stalled')?.reason).toBe('TemplateNotFound');
    expect(await h.get('Deployment', 'podinfo-primary')).toBeUndefined();
  });

  it('leaves traffic where it is when a referenced template does not validate, though an older CRD let it in', async () => {
    h = await startHarness({ crdFiles: [olderTemplateCrd()] });
    await toIdle(h);
    await startRollout(h);
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
    // Two metrics of one name: the older CRD does not key metrics by name, this controller does.
    const ref = {
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'AnalysisTemplate',
      namespace: NS,
      name: 'success-rate',
    };
    const template = await h.client.get(ref);
    const metrics = (template.spec as { metrics: unknown[] }).metrics;
    await h.client.jsonPatch(ref, [{ op: 'add', path: '/spec/metrics/-', value: metrics[0] }]);
    const before = await h.vsYaml();
    h.clock.advance(61 * SECOND);
    await h.pass();
    expect(await h.vsYaml()).toBe(before);
    const stalled = (await h.get('Canary', 'podinfo'))?.status as {
      phase: string;
      message: string;
      conditions: { type: string; reason: string }[];
    };
    expect(stalled.message).toBe(
      'AnalysisTemplate "success-rate" is invalid: spec.metrics[1].name: duplicate metric name "success-rate" (spec.steps)',
    );
    expect(stalled.conditions.find((c) => c.type === 'Stalled')?.reason).toBe('InvalidTemplate');
    expect((await h.events()).find((e) => e.reason === 'InvalidTemplate')?.type).toBe('Warning');
    expect(h.provider.sent).toEqual([]);
  });

  it('leaves traffic where it is when the target Deployment is missing', async () => {
    h = await startHarness({
      canary: canary({ targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'missing' } }),
    });
    const before = await h.vsYaml();
    await h.pass();
    expect(await h.vsYaml()).toBe(before);
    expect((await status(h)).message).toBe(
      'Deployment "missing" not found in namespace test (spec.targetRef.name)',
    );
  });
});

describe('weights', () => {
  it('restores weights someone edited by hand on the next pass, with an Event', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    const ref = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      namespace: NS,
      name: 'podinfo',
    };
    await h.client.jsonPatch(ref, [
      { op: 'replace', path: '/spec/http/0/route/0/weight', value: 50 },
      { op: 'replace', path: '/spec/http/0/route/1/weight', value: 50 },
    ]);
    h.clock.advance(5 * SECOND);
    await h.pass();
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
    const drift = (await h.events()).find((e) => e.reason === 'WeightsDrifted');
    expect(drift?.message).toBe(
      'weights drifted (test/podinfo http "primary": primary 50 / canary 50), restored to primary 80 / canary 20',
    );
  });

  it.each([500, 409] as const)(
    'retries a %i on the weight write without taking a step twice',
    async (code) => {
      h = await startHarness();
      await toIdle(h);
      const { release } = await import('./rollout-helpers.ts');
      await release(h, 'podinfo:2.0');
      await h.pass();
      await h.markRolledOut('podinfo');
      h.sim.faults.failNext({ method: 'PATCH', path: /virtualservices\/podinfo$/, count: 1, status: code });
      await h.pass().catch(() => undefined);
      await h.pass().catch(() => undefined);
      expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
      expect(await status(h)).toMatchObject({ currentStepIndex: 1, canaryWeight: 20 });
      const stepEvents = (await h.events()).filter((e) => e.message.includes('canary weight 20%'));
      // The step was recorded (an empty list would pass the check below vacuously), exactly once.
      expect(stepEvents.length).toBeGreaterThan(0);
      expect(stepEvents.map((e) => e.count ?? 1)).toEqual(stepEvents.map(() => 1));
    },
  );
});
