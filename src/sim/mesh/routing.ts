/**
 * How an Envoy sidecar routes one outbound HTTP request from VirtualService configuration (pure).
 * A supported subset of Istio's semantics; anything outside it routes nowhere rather than guessing.
 */
import { hostCovers, qualifyClientHost, qualifyConfigHost } from './hosts.ts';

/** A VirtualService as read from the API (only the fields routing looks at). */
export interface VirtualServiceLike {
  metadata: { namespace?: string; name?: string; creationTimestamp?: string };
  spec?: unknown;
}

/** The outbound request being routed. */
export interface OutboundRequest {
  /** The host the client called (short name, partial or FQDN). */
  host: string;
  /** The client's namespace (resolves short names, and `sourceNamespace` matches). */
  namespace: string;
  /** Path with optional query string. */
  path: string;
  method: string;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string>>;
  port: number;
  /** The client pod's labels (for `sourceLabels` matches). */
  sourceLabels: Readonly<Record<string, string>>;
}

/** One weighted destination of the chosen route, with its host qualified. */
export interface WeightedDestination {
  /** FQDN of the destination host. */
  host: string;
  weight: number;
  subset: string | undefined;
}

/** Where the sidecar sends a request, or why it sends it nowhere. */
export type RouteDecision =
  | {
      kind: 'route';
      /** `namespace/name` of the VirtualService, or undefined for Kubernetes' default routing. */
      virtualService: string | undefined;
      /** The matched route's name, when it has one. */
      routeName: string | undefined;
      destinations: WeightedDestination[];
    }
  | { kind: 'none'; reason: string };

type Json = Record<string, unknown>;

/**
 * Decides the route for `req` given every VirtualService the sidecar knows. With no VirtualService
 * for the host, traffic goes straight to the Service (Kubernetes' own routing).
 */
export function decideRoute(
  virtualServices: readonly VirtualServiceLike[],
  req: OutboundRequest,
): RouteDecision {
  const fqdn = qualifyClientHost(req.host, req.namespace);
  const vs = owningVirtualService(virtualServices, fqdn);
  if (vs === undefined) {
    return { kind: 'route', virtualService: undefined, routeName: undefined, destinations: [direct(fqdn)] };
  }
  const vsNamespace = vs.metadata.namespace ?? 'default';
  const vsKey = `${vsNamespace}/${vs.metadata.name ?? ''}`;
  const http = asArray(asRecord(vs.spec).http);
  for (const raw of http) {
    const route = asRecord(raw);
    if (!routeMatches(route, req)) continue;
    if (route.route === undefined)
      return {
        kind: 'none',
        reason: `${vsKey}: matched route has no destinations (redirect, directResponse and delegate are not emulated)`,
      };
    return {
      kind: 'route',
      virtualService: vsKey,
      routeName: typeof route.name === 'string' ? route.name : undefined,
      destinations: destinationsOf(asArray(route.route), vsNamespace),
    };
  }
  return { kind: 'none', reason: `${vsKey}: no http route matches ${req.method} ${req.path} (404 NR)` };
}

/**
 * The weighted pick Envoy makes among a route's destinations. Weights need not sum to 100 (Envoy
 * normalises by the total); undefined when every weight is 0.
 */
export function pickDestination(
  destinations: readonly WeightedDestination[],
  random: () => number,
): WeightedDestination | undefined {
  const total = destinations.reduce((sum, d) => sum + Math.max(0, d.weight), 0);
  if (total <= 0) return undefined;
  let point = random() * total;
  for (const d of destinations) {
    if (d.weight <= 0) continue;
    if (point < d.weight) return d;
    point -= d.weight;
  }
  // Rounding at the very top of the range: the last positive destination.
  return destinations.filter((d) => d.weight > 0).at(-1);
}

/**
 * The VirtualService that configures `fqdn` for sidecars: those bound to the mesh (no `gateways`,
 * or `mesh` among them) whose hosts cover it. Istio does not merge sidecar VirtualServices for one
 * host; the oldest wins, ties broken by namespace/name.
 */
function owningVirtualService(
  virtualServices: readonly VirtualServiceLike[],
  fqdn: string,
): VirtualServiceLike | undefined {
  const candidates = virtualServices.filter((vs) => {
    const spec = asRecord(vs.spec);
    const gateways = spec.gateways === undefined ? ['mesh'] : asArray(spec.gateways);
    if (!gateways.includes('mesh')) return false;
    const ns = vs.metadata.namespace ?? 'default';
    return asArray(spec.hosts).some(
      (h) => typeof h === 'string' && hostCovers(qualifyConfigHost(h, ns), fqdn),
    );
  });
  const key = (vs: VirtualServiceLike): string =>
    `${vs.metadata.creationTimestamp ?? ''}|${vs.metadata.namespace ?? ''}/${vs.metadata.name ?? ''}`;
  return candidates.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))[0];
}

function direct(fqdn: string): WeightedDestination {
  return { host: fqdn, weight: 100, subset: undefined };
}

function destinationsOf(route: readonly unknown[], vsNamespace: string): WeightedDestination[] {
  const single = route.length === 1;
  return route.map((raw) => {
    const r = asRecord(raw);
    const dest = asRecord(r.destination);
    const host = typeof dest.host === 'string' ? qualifyConfigHost(dest.host, vsNamespace) : '';
    // Istio: a lone destination takes all traffic; otherwise an unset weight is 0.
    const weight = typeof r.weight === 'number' ? r.weight : single ? 100 : 0;
    return { host, weight, subset: typeof dest.subset === 'string' ? dest.subset : undefined };
  });
}

/** A route matches when it has no match conditions, or any one of them holds (OR of ANDs). */
function routeMatches(route: Json, req: OutboundRequest): boolean {
  if (route.match === undefined) return true;
  const matches = asArray(route.match);
  return matches.length === 0 || matches.some((m) => matchRequest(asRecord(m), req));
}

const IGNORED_MATCH_FIELDS = new Set(['name', 'statPrefix', 'ignoreUriCase']);

/** One HTTPMatchRequest: every condition must hold. An unsupported condition never holds. */
function matchRequest(m: Json, req: OutboundRequest): boolean {
  const [path = '', query = ''] = req.path.split('?', 2);
  const ignoreCase = m.ignoreUriCase === true;
  for (const [field, value] of Object.entries(m)) {
    if (IGNORED_MATCH_FIELDS.has(field)) continue;
    if (!conditionHolds(field, value, { req, path, query, ignoreCase })) return false;
  }
  return true;
}

interface MatchContext {
  req: OutboundRequest;
  path: string;
  query: string;
  ignoreCase: boolean;
}

function conditionHolds(field: string, value: unknown, ctx: MatchContext): boolean {
  const { req } = ctx;
  switch (field) {
    case 'uri':
      return stringMatches(asRecord(value), ctx.path, ctx.ignoreCase);
    case 'method':
      return stringMatches(asRecord(value), req.method, false);
    case 'scheme':
      return stringMatches(asRecord(value), 'http', false);
    case 'authority':
      return stringMatches(asRecord(value), req.host, false);
    case 'port':
      return value === req.port;
    case 'headers':
      return mapMatches(asRecord(value), (k) => req.headers[k.toLowerCase()]);
    case 'withoutHeaders':
      return Object.entries(asRecord(value)).every(
        ([k, sm]) => !stringMatches(asRecord(sm), req.headers[k.toLowerCase()], false),
      );
    case 'queryParams':
      return mapMatches(asRecord(value), (k) => new URLSearchParams(ctx.query).get(k) ?? undefined);
    case 'sourceLabels':
      return Object.entries(asRecord(value)).every(([k, v]) => req.sourceLabels[k] === v);
    case 'sourceNamespace':
      return value === req.namespace;
    case 'gateways':
      return asArray(value).includes('mesh');
    default:
      return false;
  }
}

function mapMatches(conditions: Json, read: (key: string) => string | undefined): boolean {
  return Object.entries(conditions).every(([k, sm]) => stringMatches(asRecord(sm), read(k), false));
}

/** Istio's StringMatch: exact, prefix or (RE2, whole-string) regex. An absent value never matches. */
function stringMatches(sm: Json, value: string | undefined, ignoreCase: boolean): boolean {
  if (value === undefined) return false;
  const v = ignoreCase ? value.toLowerCase() : value;
  const norm = (s: unknown): string | undefined =>
    typeof s === 'string' ? (ignoreCase ? s.toLowerCase() : s) : undefined;
  const exact = norm(sm.exact);
  const prefix = norm(sm.prefix);
  if (exact !== undefined) return v === exact;
  if (prefix !== undefined) return v.startsWith(prefix);
  if (typeof sm.regex === 'string') {
    try {
      return new RegExp(`^(?:${sm.regex})$`, ignoreCase ? 'i' : '').test(value);
    } catch {
      return false;
    }
  }
  return false;
}

function asRecord(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
