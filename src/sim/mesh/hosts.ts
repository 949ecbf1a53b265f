/** Istio's host naming rules, as a sidecar applies them (pure). */

/** The cluster's DNS domain. */
export const CLUSTER_DOMAIN = 'cluster.local';

/**
 * The FQDN Istio gives a host written in a config in `namespace`: a short name (no dot) is the
 * Service of that name in the config's namespace; anything with a dot is taken literally.
 */
export function qualifyConfigHost(host: string, namespace: string): string {
  return host.includes('.') || host.includes('*') ? host : `${host}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/**
 * The FQDN a client in `namespace` reaches when it calls `host`: the pod's DNS search path
 * (`<ns>.svc.cluster.local`, `svc.cluster.local`, `cluster.local`) completes partial names.
 */
export function qualifyClientHost(host: string, namespace: string): string {
  const dots = host.split('.').length - 1;
  if (host.endsWith(`.svc.${CLUSTER_DOMAIN}`)) return host;
  if (dots === 0) return `${host}.${namespace}.svc.${CLUSTER_DOMAIN}`;
  if (dots === 1) return `${host}.svc.${CLUSTER_DOMAIN}`;
  if (host.endsWith('.svc')) return `${host}.${CLUSTER_DOMAIN}`;
  return host;
}

/** Whether a VirtualService host (qualified; may be a `*.suffix` wildcard or `*`) covers `fqdn`. */
export function hostCovers(pattern: string, fqdn: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return fqdn.endsWith(pattern.slice(1));
  return pattern === fqdn;
}

/** The Service an FQDN names, when it is `<name>.<namespace>.svc.cluster.local`. */
export function serviceOf(fqdn: string): { namespace: string; name: string } | undefined {
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const parts = fqdn.slice(0, -suffix.length).split('.');
  const [name, namespace] = parts;
  if (parts.length !== 2 || name === undefined || namespace === undefined) return undefined;
  if (name === '' || namespace === '') return undefined;
  return { namespace, name };
}
