import type { Canary } from '../api/index.ts';
import { managedLabels, primaryName, type Deployment } from './workloads.ts';

export const HPA_API = 'autoscaling/v2';
export const HPA_KIND = 'HorizontalPodAutoscaler';

/** The parts of an autoscaling/v2 HorizontalPodAutoscaler serin reads and writes. */
export interface Hpa {
  apiVersion: typeof HPA_API;
  kind: typeof HPA_KIND;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
  };
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    [field: string]: unknown;
  };
  status?: { currentReplicas?: number; desiredReplicas?: number };
}

/** The HPA serin made for the primary: `<hpa>-primary`. */
export const primaryHpaName = (hpa: string): string => `${hpa}-primary`;

/** What a pass knows about the target's autoscaler. */
export type AutoscalerRead =
  | { readonly kind: 'none' }
  | { readonly kind: 'ok'; readonly user: Hpa; readonly primary: Hpa | undefined }
  | {
      readonly kind: 'problem';
      readonly reason: 'AutoscalerNotFound' | 'AutoscalerTargetMismatch' | 'AmbiguousAutoscaler';
      readonly field: string;
      readonly message: string;
    };

/** Whether an HPA scales the named Deployment (`scaleTargetRef` apps/v1 Deployment, by name). */
export function targets(hpa: Hpa, deployment: string): boolean {
  const ref = hpa.spec.scaleTargetRef;
  const group = (ref.apiVersion ?? 'apps/v1').split('/')[0];
  return ref.kind === 'Deployment' && group === 'apps' && ref.name === deployment;
}

function describeTarget(hpa: Hpa): string {
  const ref = hpa.spec.scaleTargetRef;
  return `${ref.kind} "${ref.name}"`;
}

/**
 * The target's autoscaler among the namespace's HPAs: the one `spec.autoscalerRef` names (which
 * must scale the target), else the one HPA that scales the target. serin's own copies are not
 * candidates. Two HPAs on one Deployment fight each other (Kubernetes says AmbiguousSelector): a
 * person must pick one.
 */
export function findAutoscaler(canary: Canary, hpas: readonly Hpa[]): AutoscalerRead {
  const target = canary.spec.targetRef.name;
  const byName = new Map(hpas.map((hpa) => [hpa.metadata.name, hpa]));
  const ref = canary.spec.autoscalerRef;
  const withPrimary = (user: Hpa): AutoscalerRead => ({
    kind: 'ok',
    user,
    primary: byName.get(primaryHpaName(user.metadata.name)),
  });
  if (ref) {
    const named = byName.get(ref.name);
    if (!named) {
      return {
        kind: 'problem',
        reason: 'AutoscalerNotFound',
        field: 'spec.autoscalerRef.name',
        message: `HorizontalPodAutoscaler "${ref.name}" not found in namespace ${canary.metadata.namespace ?? 'default'}`,
      };
    }
    if (!targets(named, target)) {
      return {
        kind: 'problem',
        reason: 'AutoscalerTargetMismatch',
        field: 'spec.autoscalerRef.name',
        message: `HorizontalPodAutoscaler "${ref.name}" scales ${describeTarget(named)}, not Deployment "${target}"`,
      };
    }
    return withPrimary(named);
  }
  const candidates = hpas.filter((hpa) => targets(hpa, target) && !isSerinCopy(hpa));
  const [only, second] = candidates;
  if (!only) return { kind: 'none' };
  if (second) {
    return {
      kind: 'problem',
      reason: 'AmbiguousAutoscaler',
      field: 'spec.autoscalerRef',
      message: `HorizontalPodAutoscalers ${candidates.map((h) => `"${h.metadata.name}"`).join(', ')} all scale Deployment "${target}": name one in spec.autoscalerRef and remove the others`,
    };
  }
  return withPrimary(only);
}

function isSerinCopy(hpa: Hpa): boolean {
  return hpa.metadata.labels?.['app.kubernetes.io/managed-by'] === 'serin';
}

/** `<hpa>-primary`: the user's HPA spec, scaling `<target>-primary` instead of the target. */
export function buildPrimaryHpa(user: Hpa, canary: Canary): Hpa {
  return {
    apiVersion: HPA_API,
    kind: HPA_KIND,
    metadata: {
      name: primaryHpaName(user.metadata.name),
      namespace: canary.metadata.namespace ?? 'default',
      labels: managedLabels(canary),
    },
    spec: {
      ...structuredClone(user.spec),
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: primaryName(canary.spec.targetRef.name),
      },
    },
  };
}

/**
 * How many replicas the canary gets when a rollout wakes it: what the primary runs now, as its HPA
 * last counted them (status.currentReplicas) or else as its Deployment asks, within the user's
 * HPA's bounds.
 */
export function followReplicas(
  primary: Deployment | undefined,
  autoscaler: AutoscalerRead | undefined,
): number {
  if (autoscaler?.kind !== 'ok') return primary?.spec.replicas ?? 1;
  const fromHpa = autoscaler.primary?.status?.currentReplicas;
  const count = fromHpa !== undefined && fromHpa > 0 ? fromHpa : (primary?.spec.replicas ?? 1);
  const { minReplicas = 1, maxReplicas } = autoscaler.user.spec;
  return Math.min(Math.max(count, minReplicas, 1), maxReplicas);
}
