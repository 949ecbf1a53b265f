/**
 * Just enough OpenAPI v3 for `kubectl create -f` / `kubectl apply -f` to validate without
 * `--validate=false`: the `/openapi/v3` index of group-versions and, per group-version, its write
 * operations tagged with their kind and the `fieldValidation` query parameter. Seeing that
 * parameter, kubectl (1.27+) hands validation to the server (`?fieldValidation=Strict`), which the
 * simulator performs against the CRD schema. For `kubectl explain`, each CRD version's own
 * openAPIV3Schema is published under components.schemas, tagged with its group-version-kind, as
 * kube-apiserver does (named `<reversed group>.<version>.<Kind>`).
 */
import type { Registry } from './registry.ts';
import type { JsonObject, ResourceType } from './types.ts';

const ROOT = '/openapi/v3';

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function schemaName(type: ResourceType, version: string): string {
  return `${type.group.split('.').reverse().join('.')}.${version}.${type.kind}`;
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
  const schemas: JsonObject = {};
  for (const type of types) {
    const schema = type.schemas.get(version)?.openAPIV3Schema;
    if (schema !== undefined) {
      const gvk = { group: type.group, version, kind: type.kind };
      schemas[schemaName(type, version)] = { ...schema, 'x-kubernetes-group-version-kind': [gvk] };
    }
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
    components: { schemas },
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
