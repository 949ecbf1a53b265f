import type { VirtualServiceRef } from '../../api/index.ts';
import type { RouteError, RouteObjectRef, RouteWeights, Weights } from '../../ports/traffic-router.ts';
import { formatWeights, isValidSplit } from '../../ports/traffic-router.ts';
import { routeError } from './errors.ts';
import { hostRole, isShortNameOf } from './hosts.ts';
import { selectRoutes, type SelectedRoute } from './select.ts';
import type {
  CanaryHosts,
  HttpRoute,
  JsonPatchOp,
  L4Route,
  RouteDestination,
  VirtualService,
} from './types.ts';

/** The result of {@link planWeights}. */
export type WeightPlan =
  | {
      readonly ok: true;
      /** The VirtualService as it will be after the patch. */
      readonly vs: VirtualService;
      /** `test` ops pinning each edited route and destination, then the weight writes. */
      readonly patch: JsonPatchOp[];
      readonly changed: boolean;
      /** The managed routes' weights before the change. */
      readonly previous: RouteWeights[];
    }
  | { readonly ok: false; readonly error: RouteError };

/** The result of {@link readWeights}. */
export type WeightReading =
  { readonly ok: true; readonly routes: RouteWeights[] } | { readonly ok: false; readonly error: RouteError };

interface Located {
  readonly sel: SelectedRoute;
  readonly primary: number;
  readonly canary: number;
  readonly entries: RouteDestination[];
  readonly weights: Weights;
}

/** Where a VirtualService is: its own metadata first, then the reference, then the Canary's namespace. */
export function whereIs(vs: VirtualService, ref: VirtualServiceRef, hosts: CanaryHosts): RouteObjectRef {
  return {
    namespace: vs.metadata.namespace ?? ref.namespace ?? hosts.namespace,
    name: vs.metadata.name ?? ref.name,
  };
}

function weightOf(d: RouteDestination | undefined): number {
  // Istio treats a missing weight as 0 on a route with several destinations.
  return typeof d?.weight === 'number' ? d.weight : 0;
}

function missing(
  sel: SelectedRoute,
  where: RouteObjectRef,
  hosts: CanaryHosts,
  role: 'primary' | 'canary',
): RouteError {
  const service = hosts[role];
  const entries = sel.route.route ?? [];
  const short = entries.some((d) => isShortNameOf(d.destination.host, service));
  const hint =
    short && where.namespace !== hosts.namespace
      ? `; the short name "${service}" means ${service}.${where.namespace} here, use ${service}.${hosts.namespace}.svc.cluster.local`
      : '';
  const field = `spec.${sel.kind}[${sel.index}].route[].destination.host`;
  return routeError(
    'DestinationMissing',
    { virtualService: where, route: sel.label, field },
    `no destination for the ${role} Service ${service}.${hosts.namespace}${hint}`,
  );
}

/** Finds the primary and canary destinations of one route and their weights. */
function locate(sel: SelectedRoute, where: RouteObjectRef, hosts: CanaryHosts): Located | RouteError {
  const entries = Array.isArray(sel.route.route) ? sel.route.route : [];
  const found: { primary: number[]; canary: number[]; other: number[] } = {
    primary: [],
    canary: [],
    other: [],
  };
  for (const [i, d] of entries.entries()) {
    const host = (d as Partial<RouteDestination>).destination?.host;
    if (typeof host !== 'string' || host === '') {
      const field = `spec.${sel.kind}[${sel.index}].route[${i}].destination.host`;
      return routeError(
        'InvalidHost',
        { virtualService: where, route: sel.label, field },
        'destination host is empty',
      );
    }
    found[hostRole(host, hosts, where.namespace)].push(i);
  }
  for (const role of ['primary', 'canary'] as const) {
    const idx = found[role];
    if (idx.length === 0) return missing(sel, where, hosts, role);
    if (idx.length > 1) {
      const field = `spec.${sel.kind}[${sel.index}].route[${idx.join(',')}].destination.host`;
      const detail = `${idx.length} destinations point at the ${role} Service ${hosts[role]}; serin cannot tell which to weight`;
      return routeError('AmbiguousDestination', { virtualService: where, route: sel.label, field }, detail);
    }
  }
  const primary = found.primary[0] ?? 0;
  const canary = found.canary[0] ?? 0;
  return {
    sel,
    primary,
    canary,
    entries,
    weights: { primary: weightOf(entries[primary]), canary: weightOf(entries[canary]) },
  };
}

function toRouteWeights(l: Located, where: RouteObjectRef): RouteWeights {
  return {
    virtualService: where,
    kind: l.sel.kind,
    index: l.sel.index,
    route: l.sel.label,
    weights: l.weights,
  };
}

function locateAll(
  vs: VirtualService,
  ref: VirtualServiceRef,
  hosts: CanaryHosts,
): { ok: true; located: Located[]; where: RouteObjectRef } | { ok: false; error: RouteError } {
  const where = whereIs(vs, ref, hosts);
  const selection = selectRoutes(vs, ref, where);
  if (!selection.ok) return selection;
  const located: Located[] = [];
  for (const sel of selection.routes) {
    const l = locate(sel, where, hosts);
    if ('kind' in l) return { ok: false, error: l };
    located.push(l);
  }
  return { ok: true, located, where };
}

/**
 * Reads the primary/canary weights of every route `ref` selects in `vs`. Fails exactly where
 * {@link planWeights} would fail on selection or destinations.
 */
export function readWeights(vs: VirtualService, ref: VirtualServiceRef, hosts: CanaryHosts): WeightReading {
  const all = locateAll(vs, ref, hosts);
  if (!all.ok) return all;
  return { ok: true, routes: all.located.map((l) => toRouteWeights(l, all.where)) };
}

function checkInputs(hosts: CanaryHosts, weights: Weights, where: RouteObjectRef): RouteError | undefined {
  if (hosts.primary === '' || hosts.canary === '' || hosts.namespace === '') {
    return routeError(
      'InvalidHost',
      { virtualService: where },
      'the primary/canary Service names and namespace must be non-empty',
    );
  }
  if (hosts.primary.toLowerCase() === hosts.canary.toLowerCase()) {
    return routeError(
      'InvalidHost',
      { virtualService: where },
      `primary and canary are the same Service ${hosts.primary}`,
    );
  }
  if (!isValidSplit(weights)) {
    return routeError(
      'InvalidWeights',
      { virtualService: where },
      `weights ${formatWeights(weights)} are not integers from 0 to 100 summing to 100`,
    );
  }
  return undefined;
}

/** serin owns the whole split of a route it manages: another weighted destination would break the 100 total. */
function checkOthers(l: Located, where: RouteObjectRef): RouteError | undefined {
  for (const [i, d] of l.entries.entries()) {
    if (i === l.primary || i === l.canary || weightOf(d) === 0) continue;
    const field = `spec.${l.sel.kind}[${l.sel.index}].route[${i}].weight`;
    const detail = `destination ${d.destination.host} carries weight ${weightOf(d)}; serin owns the whole split of the routes it manages, so other destinations must have weight 0 or none`;
    return routeError('InvalidWeights', { virtualService: where, route: l.sel.label, field }, detail);
  }
  return undefined;
}

interface RouteOps {
  readonly tests: JsonPatchOp[];
  readonly writes: JsonPatchOp[];
}

function weightOps(l: Located, want: Weights, target: RouteDestination[]): RouteOps {
  const base = `/spec/${l.sel.kind}/${l.sel.index}/route`;
  const tests: JsonPatchOp[] = [...l.sel.identity];
  const writes: JsonPatchOp[] = [];
  for (const role of ['primary', 'canary'] as const) {
    const i = l[role];
    const d = l.entries[i];
    if (d === undefined) continue;
    tests.push({ op: 'test', path: `${base}/${i}/destination/host`, value: d.destination.host });
    if (weightOf(d) === want[role]) continue;
    const path = `${base}/${i}/weight`;
    // Pin the weight we read too, so an edit between our read and our write is re-read and reported as drift.
    if (typeof d.weight === 'number') tests.push({ op: 'test', path, value: d.weight });
    writes.push({ op: typeof d.weight === 'number' ? 'replace' : 'add', path, value: want[role] });
    const t = target[i];
    if (t !== undefined) t.weight = want[role];
  }
  return writes.length === 0 ? { tests: [], writes: [] } : { tests, writes };
}

/**
 * Plans setting `weights` on the routes of `vs` that `ref` selects. Pure: returns the new
 * VirtualService (only the primary/canary weights of the selected routes differ) and the JSON
 * patch that turns `vs` into it, or an error naming the VirtualService, route and field. Nothing
 * to change gives `changed: false` and an empty patch.
 */
export function planWeights(
  vs: VirtualService,
  ref: VirtualServiceRef,
  hosts: CanaryHosts,
  weights: Weights,
): WeightPlan {
  const inputError = checkInputs(hosts, weights, whereIs(vs, ref, hosts));
  if (inputError !== undefined) return { ok: false, error: inputError };
  const all = locateAll(vs, ref, hosts);
  if (!all.ok) return all;
  const next = structuredClone(vs);
  const tests: JsonPatchOp[] = [];
  const writes: JsonPatchOp[] = [];
  for (const l of all.located) {
    const others = checkOthers(l, all.where);
    if (others !== undefined) return { ok: false, error: others };
    const routes: readonly (HttpRoute | L4Route)[] = next.spec[l.sel.kind] ?? [];
    const ops = weightOps(l, weights, routes[l.sel.index]?.route ?? []);
    tests.push(...ops.tests);
    writes.push(...ops.writes);
  }
  // All checks first: the server applies the patch atomically, and a reader sees the intent at a glance.
  const patch = [...tests, ...writes];
  const previous = all.located.map((l) => toRouteWeights(l, all.where));
  return { ok: true, vs: next, patch, changed: patch.length > 0, previous };
}
