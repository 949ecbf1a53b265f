import type { Canary } from '../api/index.ts';
import type { KubeClient, KubeObject } from '../kube/index.ts';
import type { ReconcileContext } from './gather.ts';
import {
  REVISION_ANNOTATION,
  buildPrimary,
  buildServices,
  primaryTemplate,
  revisionOf,
} from './workloads.ts';

/**
 * Creates what serin maintains when it is missing: the primary (only while the Canary is being
 * initialized, from the target's current template) and the primary/canary Services.
 */
export async function ensureWorkloads(
  client: KubeClient,
  canary: Canary,
  ctx: ReconcileContext,
  signal?: AbortSignal,
): Promise<void> {
  const { target } = ctx;
  if (!target) return;
  const opts = signal ? { signal } : {};
  const initializing = canary.status?.machine === undefined || canary.status.phase === 'Initializing';
  if (!ctx.primary && initializing) {
    await client.create(buildPrimary(target, canary) as unknown as KubeObject, opts);
  }
  const [primaryService, canaryService] = buildServices(canary, target);
  if (!ctx.services.primary) await client.create(primaryService as unknown as KubeObject, opts);
  if (!ctx.services.canary) await client.create(canaryService as unknown as KubeObject, opts);
}

/** Scales the target (the canary) to a number of replicas, or to the primary's count. */
export async function scaleTarget(
  client: KubeClient,
  ctx: ReconcileContext,
  replicas: number | 'toTarget',
  signal?: AbortSignal,
): Promise<void> {
  const { target, primary } = ctx;
  if (!target) return;
  const count = replicas === 'toTarget' ? (primary?.spec.replicas ?? 1) : replicas;
  if (target.spec.replicas === count) return;
  await client.mergePatch(
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ctx.namespace, name: target.metadata.name },
    { spec: { replicas: count } },
    signal ? { signal } : {},
  );
}

/**
 * Copies the target's pod template into the primary, keeping the primary's labels, and records the
 * revision. A JSON patch replaces the template whole, so fields removed from the target go too.
 */
export async function promotePrimary(
  client: KubeClient,
  ctx: ReconcileContext,
  signal?: AbortSignal,
): Promise<void> {
  const { target, primary } = ctx;
  if (!target || !primary) return;
  const revision = revisionOf(target);
  if (primary.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
  await client.jsonPatch(
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ctx.namespace, name: primary.metadata.name },
    [
      { op: 'replace', path: '/spec/template', value: primaryTemplate(target) },
      primary.metadata.annotations
        ? {
            op: 'add',
            path: `/metadata/annotations/${REVISION_ANNOTATION.replace('/', '~1')}`,
            value: revision,
          }
        : { op: 'add', path: '/metadata/annotations', value: { [REVISION_ANNOTATION]: revision } },
    ],
    signal ? { signal } : {},
  );
}
