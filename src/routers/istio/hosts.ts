import type { CanaryHosts } from './types.ts';

/** Which of the two Services a destination host names, if either. */
export type HostRole = 'primary' | 'canary' | 'other';

/**
 * Names a destination host may use for `service` in `namespace`. Istio resolves a short name
 * relative to the VirtualService's own namespace, so the short name counts only when the
 * VirtualService lives in the Services' namespace; from elsewhere `podinfo-primary` is another
 * Service and only a qualified name points at ours.
 */
export function hostAliases(service: string, hosts: CanaryHosts, vsNamespace: string): string[] {
  const domain = hosts.clusterDomain ?? 'cluster.local';
  const qualified = `${service}.${hosts.namespace}`;
  const names = [qualified, `${qualified}.svc`, `${qualified}.svc.${domain}`];
  if (vsNamespace === hosts.namespace) names.push(service);
  // DNS names compare case-insensitively.
  return names.map((n) => n.toLowerCase());
}

/** Classifies a destination host of a VirtualService in `vsNamespace`. */
export function hostRole(host: string, hosts: CanaryHosts, vsNamespace: string): HostRole {
  const h = host.toLowerCase();
  if (hostAliases(hosts.primary, hosts, vsNamespace).includes(h)) return 'primary';
  if (hostAliases(hosts.canary, hosts, vsNamespace).includes(h)) return 'canary';
  return 'other';
}

/** True when `host` is the short name of `service` (used to explain a cross-namespace miss). */
export function isShortNameOf(host: string, service: string): boolean {
  return host.toLowerCase() === service.toLowerCase();
}
