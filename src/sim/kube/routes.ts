/** Maps a URL path to discovery documents or to a resource target. */
import type { Target } from './context.ts';
import type { Registry } from './registry.ts';

/** What a path names. */
export type Route =
  | { kind: 'discovery'; doc: 'api' | 'apis' | 'version' | 'health' }
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | { kind: 'resource'; target: Target }
  | { kind: 'unknown' };

function resourceRoute(registry: Registry, group: string, version: string, segs: string[]): Route {
  const [a, b, c, d, e] = segs;
  if (a === 'namespaces' && b !== undefined && c !== undefined) {
    const type = registry.byPlural(group, version, c);
    if (type?.namespaced === true && segs.length <= 5) {
      return target(type, version, b, d, e);
    }
  }
  if (a === undefined) return { kind: 'unknown' };
  const type = registry.byPlural(group, version, a);
  if (type === undefined || segs.length > 3) return { kind: 'unknown' };
  if (type.namespaced && b !== undefined) return { kind: 'unknown' };
  return target(type, version, undefined, b, c);
}

function target(
  type: Target['type'],
  version: string,
  namespace: string | undefined,
  name: string | undefined,
  sub: string | undefined,
): Route {
  if (sub !== undefined) {
    const ok = (sub === 'status' && type.statusSubresource) || (sub === 'scale' && type.scaleSubresource);
    if (!ok) return { kind: 'unknown' };
  }
  const subresource = sub === 'status' || sub === 'scale' ? sub : undefined;
  return {
    kind: 'resource',
    target: { type, version, namespace, name: name === '' ? undefined : name, subresource },
  };
}

/** Resolves a decoded URL path. */
export function route(registry: Registry, pathname: string): Route {
  const segs = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const [root, x, y, ...rest] = segs;
  if (root === 'version' && segs.length === 1) return { kind: 'discovery', doc: 'version' };
  if ((root === 'healthz' || root === 'livez' || root === 'readyz') && segs.length === 1)
    return { kind: 'discovery', doc: 'health' };
  if (root === 'api') {
    if (x === undefined) return { kind: 'discovery', doc: 'api' };
    if (y === undefined) return { kind: 'resourceList', group: '', version: x };
    return resourceRoute(registry, '', x, [y, ...rest]);
  }
  if (root === 'apis') {
    if (x === undefined) return { kind: 'discovery', doc: 'apis' };
    if (y === undefined) return { kind: 'group', group: x };
    if (rest.length === 0) return { kind: 'resourceList', group: x, version: y };
    return resourceRoute(registry, x, y, rest);
  }
  return { kind: 'unknown' };
}
