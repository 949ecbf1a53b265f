/**
 * The parts of Istio's `networking.istio.io/v1` VirtualService that serin reads. Every object
 * keeps its other fields (index signatures): the planner copies them through untouched.
 */

/** The API version serin reads and writes VirtualServices with. */
export const VIRTUAL_SERVICE_API_VERSION = 'networking.istio.io/v1';

/** One weighted destination of a route. */
export interface RouteDestination {
  destination: { host: string; subset?: string; port?: { number?: number }; [field: string]: unknown };
  weight?: number;
  [field: string]: unknown;
}

/** An HTTP route (`spec.http[]`). */
export interface HttpRoute {
  name?: string;
  route?: RouteDestination[];
  [field: string]: unknown;
}

/** A TCP route match (`spec.tcp[].match[]`). */
export interface L4Match {
  port?: number;
  sniHosts?: string[];
  [field: string]: unknown;
}

/** A TCP or TLS route (`spec.tcp[]`, `spec.tls[]`). */
export interface L4Route {
  match?: L4Match[];
  route?: RouteDestination[];
  [field: string]: unknown;
}

/** A VirtualService as read from the API server. */
export interface VirtualService {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; [field: string]: unknown };
  spec: {
    hosts?: string[];
    http?: HttpRoute[];
    tcp?: L4Route[];
    tls?: L4Route[];
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** One RFC 6902 operation, as the planner emits them (compatible with src/kube's JsonPatchOp). */
export interface JsonPatchOp {
  op: 'test' | 'replace' | 'add';
  path: string;
  value: unknown;
}

/** The Services whose traffic serin splits, and the namespace they live in. */
export interface CanaryHosts {
  /** Short name of the primary Service, e.g. `podinfo-primary`. */
  readonly primary: string;
  /** Short name of the canary Service, e.g. `podinfo-canary`. */
  readonly canary: string;
  /** Namespace of both Services (the Canary's namespace). */
  readonly namespace: string;
  /** Cluster DNS domain; `cluster.local` unless the cluster says otherwise. */
  readonly clusterDomain?: string;
}
