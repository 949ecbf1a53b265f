import type { Canary } from '../api/index.ts';
import type { JsonPatchOp, KubeClient, KubeObject } from '../kube/index.ts';
import { liveReader, type ClusterReader } from './cluster-reader.ts';
import type { ReconcileContext } from './gather.ts';
import {
  REVISION_ANNOTATION,
  buildPrimary,
  buildServices,
  primaryTemplate,
  type Deployment,
} from './workloads.ts';
import { followReplicas } from './autoscaler.ts';
import { restoreConfigCopies, syncConfigCopies, syncPrimaryAutoscaler } from './reference-writes.ts';
import { currentRevision, trackedConfigs } from './references.ts';

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
    // The copies first: the primary's pods must find them when they start.
    await syncConfigCopies(client, canary, ctx, { signal });
    await client.create(
      buildPrimary(target, canary, trackedConfigs(ctx.refs)) as unknown as KubeObject,
      opts,
    );
  }
  await syncPrimaryAutoscaler(client, canary, ctx, signal);
  const [primaryService, canaryService] = buildServices(canary, target);
  if (!ctx.services.primary) await client.create(primaryService as unknown as KubeObject, opts);
  if (!ctx.services.canary) await client.create(canaryService as unknown as KubeObject, opts);
}

/**
 * Scales the target (the canary) to a number of replicas, or to what the primary runs now. With an
 * HPA on the target, serin writes replicas only to park the idle target at 0 (an HPA does not scale
 * a Deployment at 0, as Flagger documents) and to wake it from 0 to the primary's current count;
 * between the two, the HPA owns replicas.
 */
export async function scaleTarget(
  client: KubeClient,
  ctx: ReconcileContext,
  replicas: number | 'toTarget',
  signal?: AbortSignal,
): Promise<void> {
  const { target, primary } = ctx;
  if (!target) return;
  const autoscaled = ctx.refs?.autoscaler.kind === 'ok';
  if (autoscaled && replicas === 'toTarget' && (target.spec.replicas ?? 1) > 0) return;
  const count = replicas === 'toTarget' ? followReplicas(primary, ctx.refs?.autoscaler) : replicas;
  if (target.spec.replicas === count) return;
  await client.mergePatch(
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ctx.namespace, name: target.metadata.name },
    { spec: { replicas: count } },
    signal ? { signal } : {},
  );
}

/** Annotations on the primary: the template (and its revision) that a promotion replaced, for an undo. */
export const PREVIOUS_REVISION_ANNOTATION = 'serin.dev/previous-revision';
export const PREVIOUS_TEMPLATE_ANNOTATION = 'serin.dev/previous-template';

const annotationPath = (key: string): string => `/metadata/annotations/${key.replaceAll('/', '~1')}`;

/** JSON-patch ops that set annotations, whether or not the object has any yet. */
function setAnnotations(
  existing: Record<string, string> | undefined,
  values: Record<string, string>,
): JsonPatchOp[] {
  if (!existing) return [{ op: 'add', path: '/metadata/annotations', value: values }];
  return Object.entries(values).map(([key, value]) => ({ op: 'add', path: annotationPath(key), value }));
}

/**
 * Copies the target's pod template into the primary, keeping the primary's labels, and records the
 * revision. The template it replaces is kept in an annotation, so an abort during Promoting can put
 * it back (the primary serves all traffic once the canary's weight is 0). A JSON patch replaces the
 * template whole, so fields removed from the target go too.
 */
export async function promotePrimary(
  client: KubeClient,
  canary: Canary,
  ctx: ReconcileContext,
  signal?: AbortSignal,
): Promise<void> {
  const { target, primary } = ctx;
  if (!target || !primary) return;
  const revision = currentRevision(target, ctx.refs);
  const current = primary.metadata.annotations?.[REVISION_ANNOTATION];
  if (current === revision) return;
  await syncConfigCopies(client, canary, ctx, {
    signal,
    ...(current === undefined ? {} : { keep: { revision: current } }),
  });
  const previous =
    current === undefined
      ? {}
      : {
          [PREVIOUS_REVISION_ANNOTATION]: current,
          [PREVIOUS_TEMPLATE_ANNOTATION]: JSON.stringify(primary.spec.template),
        };
  await client.jsonPatch(
    primaryRef(ctx, primary),
    [
      { op: 'replace', path: '/spec/template', value: primaryTemplate(target, trackedConfigs(ctx.refs)) },
      ...setAnnotations(primary.metadata.annotations, { [REVISION_ANNOTATION]: revision, ...previous }),
    ],
    signal ? { signal } : {},
  );
}

/** What undoing a promotion did. */
export type RestoreOutcome = 'restored' | 'unchanged' | 'unknown';

/**
 * Puts the stable revision's template back into the primary after an abort during Promoting. The
 * primary already at `stable` is left alone; a primary whose replaced template is not `stable`'s
 * (it was edited by hand, or a serin before this one promoted it) is left alone too, and the pass
 * says so in a Warning Event.
 */
export async function restorePrimary(
  client: KubeClient,
  canary: Canary,
  input: {
    ctx: ReconcileContext;
    stable: string | null;
    signal?: AbortSignal | undefined;
    /** Where the primary is read again; a Controller's cache waits to show this pass's promotion. */
    reader?: ClusterReader | undefined;
  },
): Promise<RestoreOutcome> {
  const { ctx, stable, signal } = input;
  if (!ctx.primary || stable === null) return 'unknown';
  // Read again: a promotion earlier in this same pass (PromoteFull, then Abort) is not in ctx.
  const reader = input.reader ?? liveReader(client);
  const primary = await reader.get<Deployment & KubeObject>(primaryRef(ctx, ctx.primary));
  const annotations = primary?.metadata.annotations ?? {};
  if (!primary) return 'unknown';
  if (annotations[REVISION_ANNOTATION] === stable) return 'unchanged';
  const saved = annotations[PREVIOUS_TEMPLATE_ANNOTATION];
  if (annotations[PREVIOUS_REVISION_ANNOTATION] !== stable || saved === undefined) return 'unknown';
  const template = JSON.parse(saved) as Deployment['spec']['template'];
  // The copies first, so the pods the restored template starts find the stable content.
  await restoreConfigCopies(client, canary, { ctx, podSpec: template.spec, stable, signal });
  await client.jsonPatch(
    primaryRef(ctx, primary),
    [
      // Only the promotion this pass read is undone: a newer one fails the test and the pass retries.
      { op: 'test', path: annotationPath(REVISION_ANNOTATION), value: annotations[REVISION_ANNOTATION] },
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'add', path: annotationPath(REVISION_ANNOTATION), value: stable },
      { op: 'remove', path: annotationPath(PREVIOUS_REVISION_ANNOTATION) },
      { op: 'remove', path: annotationPath(PREVIOUS_TEMPLATE_ANNOTATION) },
    ],
    signal ? { signal } : {},
  );
  return 'restored';
}

function primaryRef(ctx: ReconcileContext, primary: { metadata: { name: string } }) {
  return { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ctx.namespace, name: primary.metadata.name };
}
