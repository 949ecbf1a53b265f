import { createHash } from 'node:crypto';
import type { Canary } from '../api/index.ts';
import type { OwnerReference } from '../kube/index.ts';
import { pointAtCopies, type ConfigKind } from './config-refs.ts';

export type { OwnerReference } from '../kube/index.ts';

/** The parts of an apps/v1 Deployment serin reads and writes. */
export interface Deployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation?: number;
    resourceVersion?: string;
    uid?: string;
    ownerReferences?: OwnerReference[];
  };
  spec: {
    replicas?: number;
    selector: { matchLabels?: Record<string, string> };
    template: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: unknown;
    };
    [field: string]: unknown;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
  };
}

/** A core/v1 Service as serin creates it. */
export interface Service {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    ownerReferences?: OwnerReference[];
  };
  spec: {
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: number | string; protocol: 'TCP' }[];
  };
}

/** Annotation on the primary Deployment: the revision its pod template came from. */
export const REVISION_ANNOTATION = 'serin.dev/revision';
const PRIMARY_SUFFIX = '-primary';

export const primaryName = (target: string): string => `${target}${PRIMARY_SUFFIX}`;
export const primaryServiceName = (service: string): string => `${service}-primary`;
export const canaryServiceName = (service: string): string => `${service}-canary`;

/** Serializes with sorted keys, so that equal objects hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The revision of a Deployment: a stable hash of its pod template. Replicas are outside the template,
 * so scaling never makes a new revision.
 */
export function revisionOf(
  deployment: Deployment,
  configs: readonly { kind: string; name: string; hash: string }[] = [],
): string {
  // Without tracked configuration the hash is the template's alone, as before config tracking.
  const input =
    configs.length === 0
      ? deployment.spec.template
      : { template: deployment.spec.template, configs: configsKey(configs) };
  return createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 10);
}

function configsKey(configs: readonly { kind: string; name: string; hash: string }[]): string[] {
  return configs.map((c) => `${c.kind}/${c.name}=${c.hash}`).sort();
}

/**
 * Annotation on the primary's pod template: the content hashes of the ConfigMaps and Secrets it
 * uses through its copies, so that new content rolls the primary's pods (env vars are read once).
 */
export const CONFIG_HASH_ANNOTATION = 'serin.dev/config-hash';

/** Rewrites selector labels so primary pods are never selected by the target's selector: `app: x` → `app: x-primary`. */
function primaryLabels(
  labels: Record<string, string> | undefined,
  selector: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const key of Object.keys(selector)) {
    const value = out[key];
    if (value !== undefined) out[key] = `${value}${PRIMARY_SUFFIX}`;
  }
  return out;
}

/**
 * Label on the primary and the two Services: which Canary made them. They carry no owner reference
 * to the Canary on purpose: a Canary deleted with `propagationPolicy: Foreground` (Argo CD's prune
 * default) would have the garbage collector delete the pods that serve 100% of the traffic before
 * serin's finalizer could hand it anywhere (issue 13; docs/controller.md, "Deleting a Canary").
 */
export const CANARY_LABEL = 'serin.dev/canary';

/** The labels of what serin creates for a Canary. */
export function managedLabels(canary: Canary): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'serin', [CANARY_LABEL]: canary.metadata.name };
}

/**
 * The pod template the primary runs for a given target template, with primary labels; references
 * to tracked ConfigMaps and Secrets name their `-primary` copies.
 */
export function primaryTemplate(
  target: Deployment,
  configs: readonly TrackedConfigRef[] = [],
): Deployment['spec']['template'] {
  const selector = target.spec.selector.matchLabels ?? {};
  const template = structuredClone(target.spec.template);
  const annotations =
    configs.length === 0
      ? template.metadata?.annotations
      : {
          ...template.metadata?.annotations,
          [CONFIG_HASH_ANNOTATION]: createHash('sha256')
            .update(configsKey(configs).join(','))
            .digest('hex')
            .slice(0, 16),
        };
  return {
    ...template,
    metadata: {
      ...template.metadata,
      labels: primaryLabels(template.metadata?.labels, selector),
      ...(annotations === undefined ? {} : { annotations }),
    },
    ...(configs.length === 0 ? {} : { spec: pointAtCopies(template.spec, configs) }),
  };
}

/** A tracked ConfigMap or Secret as the primary's template needs it. */
export interface TrackedConfigRef {
  readonly kind: ConfigKind;
  readonly name: string;
  readonly hash: string;
}

/**
 * The `<target>-primary` Deployment: a copy of the target's spec with its selector and labels
 * rewritten, labelled with the Canary's name (never owned by it), annotated with the revision it runs.
 */
export function buildPrimary(
  target: Deployment,
  canary: Canary,
  configs: readonly TrackedConfigRef[] = [],
): Deployment {
  const selector = target.spec.selector.matchLabels ?? {};
  const { replicas, selector: _selector, template: _template, ...rest } = target.spec;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: primaryName(target.metadata.name),
      namespace: canary.metadata.namespace ?? 'default',
      labels: { ...primaryLabels(target.metadata.labels, selector), ...managedLabels(canary) },
      annotations: { [REVISION_ANNOTATION]: revisionOf(target, configs) },
    },
    spec: {
      ...structuredClone(rest),
      replicas: replicas ?? 1,
      selector: { matchLabels: primaryLabels(selector, selector) },
      template: primaryTemplate(target, configs),
    },
  };
}

/** The Services `<service>-primary` and `<service>-canary`, selecting the primary and target pods. */
export function buildServices(canary: Canary, target: Deployment): [Service, Service] {
  const selector = target.spec.selector.matchLabels ?? {};
  const { name, port, targetPort } = canary.spec.service;
  const namespace = canary.metadata.namespace ?? 'default';
  const build = (serviceName: string, podSelector: Record<string, string>): Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serviceName,
      namespace,
      labels: managedLabels(canary),
    },
    spec: {
      selector: podSelector,
      ports: [{ name: 'http', port, targetPort: targetPort ?? port, protocol: 'TCP' }],
    },
  });
  return [
    build(primaryServiceName(name), primaryLabels(selector, selector)),
    build(canaryServiceName(name), selector),
  ];
}

/**
 * Whether a Deployment has finished rolling out: the controller saw the latest generation and every
 * desired replica is updated and available. A Deployment scaled to 0 is not "ready" to take traffic.
 */
export function isDeploymentReady(deployment: Deployment): boolean {
  const desired = deployment.spec.replicas ?? 1;
  const status = deployment.status ?? {};
  if (desired === 0) return false;
  return (
    (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 1) &&
    (status.updatedReplicas ?? 0) >= desired &&
    (status.availableReplicas ?? 0) >= desired
  );
}
