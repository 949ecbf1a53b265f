import type { Canary } from '../api/index.ts';
import { isKubeError, type KubeObject } from '../kube/index.ts';
import type { ClusterReader } from './cluster-reader.ts';
import { findAutoscaler, HPA_API, HPA_KIND, type AutoscalerRead, type Hpa } from './autoscaler.ts';
import { configRefs, contentHash, SKIP_TRACKING_ANNOTATION, type ConfigKind } from './config-refs.ts';
import { revisionOf, type Deployment } from './workloads.ts';

/**
 * A ConfigMap or Secret the target's pods use, whose content is part of the revision and which the
 * primary gets a copy of. `object` stays in memory: it is never logged, recorded or written to
 * status (only `hash` is).
 */
export interface TrackedConfig {
  readonly kind: ConfigKind;
  readonly name: string;
  readonly hash: string;
  readonly object: KubeObject;
}

/** The target's ConfigMaps and Secrets as read, or the first one that cannot be. */
export type ConfigsRead =
  | { readonly kind: 'ok'; readonly tracked: readonly TrackedConfig[] }
  | {
      readonly kind: 'problem';
      readonly reason: 'ConfigNotFound' | 'ConfigForbidden';
      readonly field: string;
      readonly message: string;
    };

/** What the target refers to beyond itself: its autoscaler and its configuration. */
export interface WorkloadRefs {
  readonly autoscaler: AutoscalerRead;
  readonly configs: ConfigsRead;
}

/** A problem with what the target refers to: the Canary is Stalled until a person fixes it. */
export interface ReferenceProblem {
  readonly reason:
    | Extract<AutoscalerRead, { kind: 'problem' }>['reason']
    | Extract<ConfigsRead, { kind: 'problem' }>['reason'];
  readonly field: string;
  readonly message: string;
}

async function readConfigs(
  reader: ClusterReader,
  namespace: string,
  target: Deployment,
): Promise<ConfigsRead> {
  const tracked: TrackedConfig[] = [];
  for (const ref of configRefs(target.spec.template.spec)) {
    const what = `${ref.kind} "${ref.name}" (used by Deployment "${target.metadata.name}")`;
    let object: KubeObject | undefined;
    try {
      // ConfigMaps come from the Controller's cache; Secrets are read live (never listed or watched).
      object = await reader.get({ apiVersion: 'v1', kind: ref.kind, namespace, name: ref.name });
    } catch (err) {
      if (!isKubeError(err, 'Forbidden')) throw err;
      return {
        kind: 'problem',
        reason: 'ConfigForbidden',
        field: 'spec.targetRef.name',
        message: `${what} cannot be read: serin is not allowed to get it (403); grant get on it, or mark it ${SKIP_TRACKING_ANNOTATION}: "true"`,
      };
    }
    if (object === undefined) {
      if (ref.optional) continue;
      return {
        kind: 'problem',
        reason: 'ConfigNotFound',
        field: 'spec.targetRef.name',
        message: `${what} not found in namespace ${namespace}`,
      };
    }
    if (object.metadata.annotations?.[SKIP_TRACKING_ANNOTATION] === 'true') continue;
    tracked.push({ kind: ref.kind, name: ref.name, hash: contentHash(object), object });
  }
  return { kind: 'ok', tracked };
}

/**
 * Reads the target's autoscaler and the ConfigMaps and Secrets its pod template names. Nothing to
 * read without a target or a valid Canary.
 */
export async function readReferences(
  reader: ClusterReader,
  input: { namespace: string; canary: Canary | undefined; target: Deployment | undefined },
): Promise<WorkloadRefs | undefined> {
  const { namespace, canary, target } = input;
  if (!canary || !target) return undefined;
  const [hpas, configs] = await Promise.all([
    reader.list<Hpa & KubeObject>(HPA_API, HPA_KIND, namespace),
    readConfigs(reader, namespace, target),
  ]);
  return { autoscaler: findAutoscaler(canary, hpas), configs };
}

/** The first problem with the target's references, if any. */
export function referenceProblem(refs: WorkloadRefs | undefined): ReferenceProblem | undefined {
  if (refs?.autoscaler.kind === 'problem') return refs.autoscaler;
  if (refs?.configs.kind === 'problem') return refs.configs;
  return undefined;
}

/** The tracked ConfigMaps and Secrets (none when they could not all be read). */
export function trackedConfigs(refs: WorkloadRefs | undefined): readonly TrackedConfig[] {
  return refs?.configs.kind === 'ok' ? refs.configs.tracked : [];
}

/** The target's revision: its pod template and the content of every tracked ConfigMap and Secret. */
export function currentRevision(target: Deployment, refs: WorkloadRefs | undefined): string {
  return revisionOf(target, trackedConfigs(refs));
}
