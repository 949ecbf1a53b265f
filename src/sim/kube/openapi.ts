/**
 * Just enough OpenAPI v3 for `kubectl create -f` / `kubectl apply -f` to validate without
 * `--validate=false`: the `/openapi/v3` index of group-versions and, per group-version, its write
 * operations tagged with their kind and the `fieldValidation` query parameter. Seeing that
 * parameter, kubectl (1.27+) hands validation to the server (`?fieldValidation=Strict`), which the
 * simulator performs against the CRD schema; so no client-side schema needs to be published.
 */
import type { Registry } from './registry.ts';
import type { JsonObject, ResourceType } from './types.ts';

const ROOT = '/openapi/v3';

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function operation(type: ResourceType, version: string, action: string): JsonObject {
  return {
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: type.group, version, kind: type.kind },
    parameters: [
      { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
    ],
    responses: { '200': { description: 'OK' } },
  };
}

function gvDocument(registry: Registry, group: string, version: string): JsonObject | undefined {
  const types = registry.all().filter((t) => t.group === group && t.versions.includes(version));
  if (types.length === 0) return undefined;
  const paths: JsonObject = {};
  for (const type of types) {
    const base = `/${gvPath(group, version)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.plural}`;
    paths[base] = { post: operation(type, version, 'post') };
    paths[`${base}/{name}`] = {
      put: operation(type, version, 'put'),
      patch: operation(type, version, 'patch'),
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-serin-sim' },
    paths,
    components: { schemas: {} },
  };
}

/** The document at `pathname` (`/openapi/v3` or `/openapi/v3/apis/<g>/<v>`), or undefined. */
export function openApiDocument(registry: Registry, pathname: string): JsonObject | undefined {
  if (pathname === ROOT) {
    const paths: JsonObject = {};
    for (const type of registry.all()) {
      for (const version of type.versions) {
        const path = gvPath(type.group, version);
        paths[path] = { serverRelativeURL: `${ROOT}/${path}` };
      }
    }
    return { paths };
  }
  if (!pathname.startsWith(`${ROOT}/`)) return undefined;
  const segments = pathname.slice(ROOT.length + 1).split('/');
  if (segments[0] === 'api' && segments.length === 2) return gvDocument(registry, '', segments[1] ?? '');
  if (segments[0] === 'apis' && segments.length === 3) {
    return gvDocument(registry, segments[1] ?? '', segments[2] ?? '');
  }
  return undefined;
}
