/** The set of served resource types, and the discovery documents describing them. */
import { apiVersionOf } from './types.ts';
import type { JsonObject, ResourceType } from './types.ts';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Looks resource types up by URL segments or by apiVersion/kind. */
export class Registry {
  private readonly types: ResourceType[] = [];

  /** Adds a type; a later registration of the same group/plural replaces the earlier one. */
  add(type: ResourceType): void {
    const i = this.types.findIndex((t) => t.group === type.group && t.plural === type.plural);
    if (i >= 0) this.types.splice(i, 1, type);
    else this.types.push(type);
  }

  all(): readonly ResourceType[] {
    return this.types;
  }

  /** By URL: group ('' for core), version and plural. */
  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.plural === plural && t.versions.includes(version));
  }

  /** By apiVersion ('v1', 'apps/v1') and kind. */
  byKind(apiVersion: string, kind: string): { type: ResourceType; version: string } | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    const type = this.types.find(
      (t) => t.group === group && t.kind === kind && t.versions.includes(version ?? ''),
    );
    return type === undefined || version === undefined ? undefined : { type, version };
  }

  private groups(): Map<string, ResourceType[]> {
    const groups = new Map<string, ResourceType[]>();
    for (const t of this.types) {
      if (t.group === '') continue;
      groups.set(t.group, [...(groups.get(t.group) ?? []), t]);
    }
    return groups;
  }

  /** GET /api */
  coreVersions(serverAddress: string): JsonObject {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  /** GET /apis/<group> (or undefined if unknown) */
  group(name: string): JsonObject | undefined {
    const types = this.groups().get(name);
    return types === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(name, types) };
  }

  /** GET /apis */
  groupList(): JsonObject {
    const groups = [...this.groups()].map(([name, types]) => groupDoc(name, types));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  /** GET /api/v1 or /apis/<group>/<version> (or undefined if not served) */
  resourceList(group: string, version: string): JsonObject | undefined {
    const types = this.types.filter((t) => t.group === group && t.versions.includes(version));
    if (types.length === 0) return undefined;
    const resources: JsonObject[] = [];
    for (const t of types) {
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: VERBS,
        ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
        ...(t.categories.length > 0 ? { categories: t.categories } : {}),
      });
      if (t.statusSubresource) {
        resources.push({
          name: `${t.plural}/status`,
          singularName: '',
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['get', 'patch', 'update'],
        });
      }
      if (t.scaleSubresource) {
        resources.push({
          name: `${t.plural}/scale`,
          singularName: '',
          namespaced: t.namespaced,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        });
      }
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: apiVersionOf(group, version),
      resources,
    };
  }
}

function groupDoc(name: string, types: ResourceType[]): JsonObject {
  const versions = [...new Set(types.flatMap((t) => t.versions))];
  const preferred = types[0]?.versions[0] ?? versions[0] ?? '';
  return {
    name,
    versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred },
  };
}
