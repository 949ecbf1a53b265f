import type { RouteKind, RouteError, RouteObjectRef } from '../../ports/traffic-router.ts';
import type { VirtualServiceRef } from '../../api/index.ts';
import { routeError } from './errors.ts';
import type { HttpRoute, JsonPatchOp, L4Match, L4Route, VirtualService } from './types.ts';

/** A route the reference selects, with the `test` ops that pin its identity at its index. */
export interface SelectedRoute {
  readonly kind: RouteKind;
  readonly index: number;
  readonly label: string;
  readonly route: HttpRoute | L4Route;
  readonly identity: readonly JsonPatchOp[];
}

export type Selection = { ok: true; routes: SelectedRoute[] } | { ok: false; error: RouteError };

type Found = { ok: true; routes: SelectedRoute[] } | { ok: false; error: RouteError };

function httpByName(http: readonly HttpRoute[], name: string, vs: RouteObjectRef): Found {
  const indexes = http.flatMap((r, i) => (r.name === name ? [i] : []));
  const label = `http "${name}"`;
  if (indexes.length === 0) {
    const known = http.flatMap((r) => (r.name === undefined ? [] : [`"${r.name}"`])).join(', ');
    return fail(
      'RouteNotFound',
      vs,
      label,
      'spec.http[].name',
      `no HTTP route named "${name}" (routes: ${known || 'none named'})`,
    );
  }
  if (indexes.length > 1) {
    return fail(
      'AmbiguousRoute',
      vs,
      label,
      'spec.http[].name',
      `${indexes.length} HTTP routes are named "${name}"`,
    );
  }
  const index = indexes[0] ?? 0;
  const route = http[index] ?? {};
  return {
    ok: true,
    routes: [{ kind: 'http', index, label, route, identity: [test(`/spec/http/${index}/name`, name)] }],
  };
}

function onlyHttpRoute(http: readonly HttpRoute[], vs: RouteObjectRef): Found {
  if (http.length !== 1) {
    const code = http.length === 0 ? 'RouteNotFound' : 'AmbiguousRoute';
    const detail =
      http.length === 0
        ? 'has no HTTP route and the reference names none (set routes, tcpRoutes or tlsRoutes)'
        : `has ${http.length} HTTP routes; name the ones serin should weight in routes`;
    return fail(code, vs, undefined, 'spec.http', detail);
  }
  const route = http[0] ?? {};
  const name = route.name;
  const label = name === undefined ? 'http[0]' : `http "${name}"`;
  const identity = name === undefined ? [] : [test('/spec/http/0/name', name)];
  return { ok: true, routes: [{ kind: 'http', index: 0, label, route, identity }] };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a.map((s) => s.toLowerCase()));
  const sb = new Set(b.map((s) => s.toLowerCase()));
  return sa.size === sb.size && [...sa].every((s) => sb.has(s));
}

interface L4Want {
  kind: 'tcp' | 'tls';
  port: number;
  sniHosts?: readonly string[];
}

function l4Matches(m: L4Match, want: L4Want): boolean {
  if (m.port !== want.port) return false;
  return want.sniHosts === undefined || (Array.isArray(m.sniHosts) && sameSet(m.sniHosts, want.sniHosts));
}

/** Every TCP/TLS route with a match on the port (and SNI hosts): Istio names no L4 route. */
function l4ByMatch(routes: readonly L4Route[], want: L4Want, vs: RouteObjectRef): Found {
  const sni = want.sniHosts === undefined ? '' : `, sni ${want.sniHosts.join(',')}`;
  const found: SelectedRoute[] = [];
  routes.forEach((route, index) => {
    const k = (route.match ?? []).findIndex((m) => l4Matches(m, want));
    const m = route.match?.[k];
    if (m === undefined) return;
    const base = `/spec/${want.kind}/${index}/match/${k}`;
    const identity = [test(`${base}/port`, want.port)];
    if (want.sniHosts !== undefined) identity.push(test(`${base}/sniHosts`, m.sniHosts));
    found.push({
      kind: want.kind,
      index,
      label: `${want.kind}[${index}] (port ${want.port}${sni})`,
      route,
      identity,
    });
  });
  if (found.length === 0) {
    const label = `${want.kind} (port ${want.port}${sni})`;
    const field = `spec.${want.kind}[].match[].${want.sniHosts === undefined ? 'port' : 'port/sniHosts'}`;
    return fail(
      'RouteNotFound',
      vs,
      label,
      field,
      `no ${want.kind.toUpperCase()} route matches port ${want.port}${sni}`,
    );
  }
  return { ok: true, routes: found };
}

/**
 * The routes of `vs` that `ref` selects: HTTP routes by name; with no names (and no TCP/TLS
 * routes asked for) the one and only HTTP route; TCP routes by match port; TLS routes by match
 * port and SNI hosts. Selecting nothing is an error, never a silent no-op (Argo Rollouts #4741).
 */
export function selectRoutes(vs: VirtualService, ref: VirtualServiceRef, where: RouteObjectRef): Selection {
  const shape = checkShape(vs, where);
  if (shape !== undefined) return { ok: false, error: shape };
  const routes: SelectedRoute[] = [];
  for (const part of findAll(vs, ref, where)) {
    if (!part.ok) return part;
    for (const r of part.routes) {
      // Two references may pick the same route; weight it once.
      if (!routes.some((x) => x.kind === r.kind && x.index === r.index)) routes.push(r);
    }
  }
  return { ok: true, routes };
}

function findAll(vs: VirtualService, ref: VirtualServiceRef, where: RouteObjectRef): Found[] {
  const http = vs.spec.http ?? [];
  const names = ref.routes ?? [];
  const tcp = ref.tcpRoutes ?? [];
  const tls = ref.tlsRoutes ?? [];
  const parts: Found[] = [];
  if (names.length > 0) parts.push(...[...new Set(names)].map((n) => httpByName(http, n, where)));
  else if (tcp.length + tls.length === 0) parts.push(onlyHttpRoute(http, where));
  for (const t of tcp) parts.push(l4ByMatch(vs.spec.tcp ?? [], { kind: 'tcp', port: t.port }, where));
  for (const t of tls) {
    parts.push(l4ByMatch(vs.spec.tls ?? [], { kind: 'tls', port: t.port, sniHosts: t.sniHosts }, where));
  }
  return parts;
}

function checkShape(vs: VirtualService, where: RouteObjectRef): RouteError | undefined {
  const spec = vs.spec as unknown;
  if (typeof spec !== 'object' || spec === null) {
    return routeError('InvalidVirtualService', { virtualService: where, field: 'spec' }, 'has no spec');
  }
  for (const kind of ['http', 'tcp', 'tls'] as const) {
    const list = vs.spec[kind] as unknown;
    if (list !== undefined && list !== null && !Array.isArray(list)) {
      return routeError(
        'InvalidVirtualService',
        { virtualService: where, field: `spec.${kind}` },
        'is not a list',
      );
    }
    const bad = Array.isArray(list) ? badRoute(list as unknown[], `spec.${kind}`) : undefined;
    if (bad !== undefined)
      return routeError('InvalidVirtualService', { virtualService: where, field: bad.field }, bad.detail);
  }
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The first route, or destination of a route, that is not an object: an API server whose CRD has no
 * schema (or an older one) stores anything, and nothing serin reads may be taken on trust.
 */
function badRoute(routes: readonly unknown[], field: string): { field: string; detail: string } | undefined {
  for (const [i, route] of routes.entries()) {
    if (!isObject(route)) return { field: `${field}[${i}]`, detail: 'is not an object' };
    const destinations = route['route'];
    if (destinations === undefined || destinations === null) continue;
    if (!Array.isArray(destinations)) return { field: `${field}[${i}].route`, detail: 'is not a list' };
    for (const [j, d] of (destinations as unknown[]).entries()) {
      if (!isObject(d) || !isObject(d['destination']))
        return { field: `${field}[${i}].route[${j}].destination`, detail: 'is not an object' };
      // Read as 0 otherwise: a route Istio would refuse would look like one at 100/0.
      if (d['weight'] !== undefined && d['weight'] !== null && typeof d['weight'] !== 'number')
        return {
          field: `${field}[${i}].route[${j}].weight`,
          detail: `is not a number: ${JSON.stringify(d['weight'])}`,
        };
    }
  }
  return undefined;
}

function test(path: string, value: unknown): JsonPatchOp {
  return { op: 'test', path, value };
}

function fail(
  code: RouteError['code'],
  vs: RouteObjectRef,
  route: string | undefined,
  field: string,
  detail: string,
): { ok: false; error: RouteError } {
  return {
    ok: false,
    error: routeError(code, { virtualService: vs, field, ...(route === undefined ? {} : { route }) }, detail),
  };
}
