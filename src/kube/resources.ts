import { KubeError, errorFromResponse } from './errors.ts';
import type { KubeTransport } from './transport.ts';

/** How a kind is addressed: its plural resource name and whether it lives in a namespace. */
export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

// Kinds serin touches, so the common paths need no discovery round trip (and a test can pin them).
const WELL_KNOWN: Record<string, ResourceInfo> = {
  '|Event': { plural: 'events', namespaced: true },
  '|Namespace': { plural: 'namespaces', namespaced: false },
  '|Service': { plural: 'services', namespaced: true },
  '|Secret': { plural: 'secrets', namespaced: true },
  '|ConfigMap': { plural: 'configmaps', namespaced: true },
  '|Pod': { plural: 'pods', namespaced: true },
  'apps|Deployment': { plural: 'deployments', namespaced: true },
  'apps|ReplicaSet': { plural: 'replicasets', namespaced: true },
  'coordination.k8s.io|Lease': { plural: 'leases', namespaced: true },
  'events.k8s.io|Event': { plural: 'events', namespaced: true },
  'networking.istio.io|VirtualService': { plural: 'virtualservices', namespaced: true },
  'networking.istio.io|DestinationRule': { plural: 'destinationrules', namespaced: true },
  'serin.dev|Canary': { plural: 'canaries', namespaced: true },
  'serin.dev|AnalysisTemplate': { plural: 'analysistemplates', namespaced: true },
  'serin.dev|ClusterAnalysisTemplate': { plural: 'clusteranalysistemplates', namespaced: false },
  'serin.dev|Approval': { plural: 'approvals', namespaced: true },
};

/** Splits `group/version` (or core `v1`) into its parts. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(apiVersion: string): string {
  const { group } = splitApiVersion(apiVersion);
  return group === '' ? `/api/${apiVersion}` : `/apis/${apiVersion}`;
}

/** What to address: a collection (no name) or one object, optionally a subresource of it. */
export interface PathTarget {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: 'status' | undefined;
}

/**
 * Resolves kinds to URL paths: a built-in table for the kinds serin uses, API discovery for the rest
 * (cached per group/version).
 */
export class ResourceResolver {
  readonly #transport: KubeTransport;
  readonly #discovered = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(transport: KubeTransport) {
    this.#transport = transport;
  }

  async info(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const known = WELL_KNOWN[`${splitApiVersion(apiVersion).group}|${kind}`];
    if (known !== undefined) return known;
    let pending = this.#discovered.get(apiVersion);
    if (pending === undefined) {
      pending = this.#discover(apiVersion);
      this.#discovered.set(apiVersion, pending);
      // A failed discovery must not be cached forever.
      pending.catch(() => this.#discovered.delete(apiVersion));
    }
    const found = (await pending).get(kind);
    if (found === undefined) {
      throw new KubeError({
        code: 'NotFound',
        status: 404,
        message: `the server has no resource for ${apiVersion} ${kind}`,
      });
    }
    return found;
  }

  /** The URL path of a collection, an object, or an object's subresource. */
  async path(target: PathTarget): Promise<string> {
    const info = await this.info(target.apiVersion, target.kind);
    const parts = [groupVersionPath(target.apiVersion)];
    if (info.namespaced && target.namespace !== undefined && target.namespace !== '') {
      parts.push('namespaces', encodeURIComponent(target.namespace));
    }
    parts.push(info.plural);
    if (target.name !== undefined) parts.push(encodeURIComponent(target.name));
    if (target.subresource !== undefined) parts.push(target.subresource);
    return parts.join('/');
  }

  async #discover(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    const res = await this.#transport.send({ method: 'GET', path: groupVersionPath(apiVersion) });
    if (res.status !== 200) throw errorFromResponse(res.status, res.body);
    const list = res.body as { resources?: { name: string; kind: string; namespaced: boolean }[] };
    const out = new Map<string, ResourceInfo>();
    for (const r of list.resources ?? []) {
      // Subresources (`canaries/status`) share the kind; keep the main resource.
      if (!r.name.includes('/')) out.set(r.kind, { plural: r.name, namespaced: r.namespaced });
    }
    return out;
  }
}
