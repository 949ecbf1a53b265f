import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOSTS, loadCases } from '../../../test/routers/virtualservice-fixtures.ts';
import { planWeights, readWeights } from './planner.ts';
import type { JsonPatchOp, VirtualService } from './types.ts';

const cases = loadCases();
const golden = cases.filter((c) => c.after !== undefined);
const failing = cases.filter((c) => c.error !== undefined);

/** Applies a planned patch the way the API server does: a failing `test` op throws. */
function apply(vs: VirtualService, patch: JsonPatchOp[]): VirtualService {
  return jsonpatch.applyPatch(structuredClone(vs), patch as Operation[], true, false).newDocument;
}

function at<T>(list: readonly T[], i: number): T {
  const v = list[i];
  if (v === undefined) throw new Error(`no element ${i}`);
  return v;
}

function plan(vs: VirtualService, c: (typeof cases)[number], i: number) {
  return planWeights(vs, at(c.refs, i), HOSTS, c.weights);
}

describe('planWeights golden files', () => {
  it('has the golden cases the issue asks for', () => {
    const names = cases.map((c) => c.name);
    for (const n of [
      'single-route',
      'named-routes',
      'fqdn-hosts',
      'extra-fields',
      'tcp',
      'tls',
      'two-virtualservices',
    ]) {
      expect(names).toContain(n);
    }
    expect(failing.map((c) => c.name)).toEqual(
      expect.arrayContaining(['error-ambiguous-routes', 'error-missing-destination', 'error-unknown-route']),
    );
  });

  it.each(golden.map((c) => [c.name, c] as const))(
    '%s: the planned VirtualService equals the .after file',
    (_n, c) => {
      expect(c.before).toHaveLength(c.refs.length);
      c.before.forEach((vs, i) => {
        const p = plan(vs, c, i);
        if (!p.ok) throw new Error(p.error.message);
        expect(p.vs).toEqual(at(c.after ?? [], i));
      });
    },
  );

  it.each(golden.map((c) => [c.name, c] as const))(
    '%s: applying the JSON patch to .before gives .after',
    (_n, c) => {
      c.before.forEach((vs, i) => {
        const p = plan(vs, c, i);
        if (!p.ok) throw new Error(p.error.message);
        expect(apply(vs, p.patch)).toEqual(at(c.after ?? [], i));
        expect(p.changed).toBe(JSON.stringify(vs) !== JSON.stringify(at(c.after ?? [], i)));
      });
    },
  );

  it.each(golden.map((c) => [c.name, c] as const))(
    '%s: planning again on the result changes nothing',
    (_n, c) => {
      (c.after ?? []).forEach((vs, i) => {
        const p = plan(vs, c, i);
        if (!p.ok) throw new Error(p.error.message);
        expect(p.changed).toBe(false);
        expect(p.patch).toEqual([]);
      });
    },
  );

  it.each(failing.map((c) => [c.name, c] as const))(
    '%s: refuses with the error the args file names',
    (_n, c) => {
      const p = plan(at(c.before, 0), c, 0);
      expect(p.ok).toBe(false);
      if (p.ok) return;
      expect(p.error.code).toBe(c.error?.code);
      if (c.error?.field !== undefined) expect(p.error.field).toBe(c.error.field);
      if (c.error?.message !== undefined) expect(p.error.message).toContain(c.error.message);
      expect(p.error.message).toContain(`VirtualService ${p.error.virtualService?.namespace ?? '?'}/`);
    },
  );
});

describe('planWeights rules', () => {
  const named = cases.find((c) => c.name === 'named-routes');
  const before = at(named?.before ?? [], 0);
  const ref = at(named?.refs ?? [], 0);
  const planned = planWeights(before, ref, HOSTS, { primary: 60, canary: 40 });
  if (!planned.ok) throw new Error(planned.error.message);

  it('makes the patch fail when the route at that index was renamed meanwhile', () => {
    const moved = structuredClone(before);
    const api = at(moved.spec.http ?? [], 1);
    api.name = 'api-v2';
    expect(() => apply(moved, planned.patch)).toThrow(/Test operation failed/);
  });

  it('makes the patch fail when a destination host at that index changed meanwhile', () => {
    const swapped = structuredClone(before);
    const api = at(swapped.spec.http ?? [], 1);
    api.route = [...(api.route ?? [])].reverse();
    expect(() => apply(swapped, planned.patch)).toThrow(/Test operation failed/);
  });

  it('makes the patch fail when the weight it read was changed meanwhile', () => {
    const edited = structuredClone(before);
    const d = at(at(edited.spec.http ?? [], 1).route ?? [], 0);
    d.weight = 50;
    at(at(edited.spec.http ?? [], 1).route ?? [], 1).weight = 50;
    expect(() => apply(edited, planned.patch)).toThrow(/Test operation failed/);
  });

  it('puts every test op before the first write, and pins name, hosts and read weights', () => {
    const firstWrite = planned.patch.findIndex((o) => o.op !== 'test');
    expect(firstWrite).toBeGreaterThan(0);
    expect(planned.patch.slice(firstWrite).some((o) => o.op === 'test')).toBe(false);
    const tested = planned.patch.filter((o) => o.op === 'test').map((o) => o.path);
    expect(tested).toEqual(
      expect.arrayContaining([
        '/spec/http/1/name',
        '/spec/http/1/route/0/destination/host',
        '/spec/http/1/route/1/destination/host',
        '/spec/http/1/route/0/weight',
        '/spec/http/2/name',
      ]),
    );
  });

  it('does not modify the VirtualService it was given', () => {
    const copy = structuredClone(before);
    planWeights(before, ref, HOSTS, { primary: 1, canary: 99 });
    expect(before).toEqual(copy);
  });

  it('reports the weights it found before the change', () => {
    expect(planned.previous.map((r) => [r.route, r.weights])).toEqual([
      ['http "api"', { primary: 90, canary: 10 }],
      ['http "admin"', { primary: 90, canary: 10 }],
    ]);
  });

  it('rejects empty Service names before looking at the VirtualService', () => {
    const p = planWeights(before, ref, { ...HOSTS, canary: '' }, { primary: 50, canary: 50 });
    expect(p.ok ? 'ok' : p.error.code).toBe('InvalidHost');
  });

  it('refuses routes and destinations that are not objects (a CRD without schema stores anything)', () => {
    const broken = (http: unknown): VirtualService =>
      ({ ...before, spec: { ...before.spec, http } }) as unknown as VirtualService;
    const route = before.spec.http?.[0];
    const cases: [unknown, string][] = [
      [[null], 'spec.http[0]'],
      [[{ ...route, route: 'primary' }], 'spec.http[0].route'],
      [[{ ...route, route: [null] }], 'spec.http[0].route[0].destination'],
      [[{ ...route, route: [{ weight: 100 }] }], 'spec.http[0].route[0].destination'],
      [
        [{ ...route, route: [{ destination: { host: 'podinfo-canary' }, weight: 'abc' }] }],
        'spec.http[0].route[0].weight',
      ],
    ];
    for (const [http, field] of cases) {
      const p = planWeights(broken(http), ref, HOSTS, { primary: 50, canary: 50 });
      expect(p.ok ? 'ok' : [p.error.code, p.error.field]).toEqual(['InvalidVirtualService', field]);
    }
  });

  it('rejects fractional weights even when they sum to 100', () => {
    const p = planWeights(before, ref, HOSTS, { primary: 50.5, canary: 49.5 });
    expect(p.ok ? 'ok' : p.error.code).toBe('InvalidWeights');
  });

  it('honours a non-default cluster domain and refuses the default one then', () => {
    const vs = structuredClone(before);
    const api = at(vs.spec.http ?? [], 1);
    at(api.route ?? [], 0).destination.host = 'podinfo-canary.shop.svc.corp.internal';
    const ok = planWeights(
      vs,
      ref,
      { ...HOSTS, clusterDomain: 'corp.internal' },
      { primary: 60, canary: 40 },
    );
    expect(ok.ok).toBe(true);
    at(api.route ?? [], 0).destination.host = 'podinfo-canary.shop.svc.cluster.local';
    const no = planWeights(
      vs,
      ref,
      { ...HOSTS, clusterDomain: 'corp.internal' },
      { primary: 60, canary: 40 },
    );
    expect(no.ok ? 'ok' : no.error.code).toBe('DestinationMissing');
  });

  it('changes nothing but primary/canary weights of managed routes, for any valid split', () => {
    fc.assert(
      fc.property(fc.constantFrom(...golden), fc.integer({ min: 0, max: 100 }), (c, canary) => {
        c.before.forEach((vs, i) => {
          const p = planWeights(vs, at(c.refs, i), HOSTS, { primary: 100 - canary, canary });
          if (!p.ok) throw new Error(p.error.message);
          for (const op of jsonpatch.compare(vs, p.vs)) {
            expect(op.path).toMatch(/^\/spec\/(http|tcp|tls)\/\d+\/route\/\d+\/weight$/);
          }
          const r = readWeights(p.vs, at(c.refs, i), HOSTS);
          if (!r.ok) throw new Error(r.error.message);
          for (const route of r.routes) expect(route.weights).toEqual({ primary: 100 - canary, canary });
        });
      }),
    );
  });

  it('rejects every split that is not two integers in 0..100 summing to 100', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 150 }),
        fc.integer({ min: -50, max: 150 }),
        (primary, canary) => {
          fc.pre(primary + canary !== 100 || primary < 0 || canary < 0);
          const p = planWeights(before, ref, HOSTS, { primary, canary });
          expect(p.ok ? 'ok' : p.error.code).toBe('InvalidWeights');
        },
      ),
    );
  });
});
