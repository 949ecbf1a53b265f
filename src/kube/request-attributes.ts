/**
 * What RBAC decides on for one request: the verb and the resource, read back from the method and the
 * URL path, so that an error can say what was refused without the caller spelling it again.
 */

/** The Kubernetes authorizer's verbs for resource requests. */
export type KubeVerb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** The verb and resource of a request, as RBAC spells them. */
export interface KubeRequestAttributes {
  readonly verb: KubeVerb;
  /** API group, '' for core. */
  readonly group: string;
  /** Plural resource name, e.g. `deployments`. */
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

function verbOf(method: string, named: boolean, watch: boolean): KubeVerb | undefined {
  switch (method) {
    case 'GET':
      if (watch) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/**
 * Reads a resource request's attributes from its method, path and query: `/api/v1/...` (core) or
 * `/apis/<group>/<version>/...`, then `namespaces/<ns>/` when namespaced, then
 * `<resource>[/<name>[/<subresource>]]`. Undefined for anything else (discovery, `/version`).
 */
export function requestAttributes(
  method: string,
  path: string,
  query?: Readonly<Record<string, string | undefined>>,
): KubeRequestAttributes | undefined {
  const located = locate(path);
  if (located === undefined) return undefined;
  const { group, namespace, rest } = located;
  const [resource, name, subresource] = rest;
  if (resource === undefined) return undefined;
  const verb = verbOf(method, name !== undefined, query?.watch === 'true' || query?.watch === '1');
  if (verb === undefined) return undefined;
  return {
    verb,
    group,
    resource,
    ...(subresource === undefined ? {} : { subresource }),
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
  };
}

/** The group, the namespace and the segments after them (`<resource>/<name>/<subresource>`). */
function locate(path: string): { group: string; namespace?: string; rest: string[] } | undefined {
  const segments = (path.split('?')[0] ?? '').split('/').filter((s) => s !== '');
  const core = segments[0] === 'api' && segments.length >= 3;
  const grouped = segments[0] === 'apis' && segments.length >= 4;
  if (!core && !grouped) return undefined;
  const group = core ? '' : (segments[1] ?? '');
  const rest = segments.slice(core ? 2 : 3);
  // `namespaces/<ns>/<resource>...` is a namespaced resource; `namespaces[/<name>]` is the Namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    return { group, namespace: rest[1] ?? '', rest: rest.slice(2) };
  }
  return { group, rest };
}

/** `patch deployments.apps "podinfo-primary" in namespace "team-a"`; a subresource reads `deployments.apps/status`. */
export function describeRequest(a: KubeRequestAttributes): string {
  const qualified = a.group === '' ? a.resource : `${a.resource}.${a.group}`;
  const resource = a.subresource === undefined ? qualified : `${qualified}/${a.subresource}`;
  const object = a.name === undefined ? resource : `${resource} "${a.name}"`;
  const scope = a.namespace === undefined ? '' : ` in namespace "${a.namespace}"`;
  return `${a.verb} ${object}${scope}`;
}
