import type { Canary } from '../api/index.ts';
import type { JsonPatchOp, KubeClient, KubeObject } from '../kube/index.ts';
import { EffectError } from './act.ts';
import { buildPrimaryHpa, HPA_API, HPA_KIND } from './autoscaler.ts';
import { configContent, configCopyName, configRefs, contentHash, type ConfigKind } from './config-refs.ts';
import type { ReconcileContext } from './gather.ts';
import { trackedConfigs } from './references.ts';
import { managedLabels } from './workloads.ts';

const MANAGED_BY = 'app.kubernetes.io/managed-by';

/** Only what decides a copy's content: compared without the server's defaults and metadata. */
function sameSpec(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/**
 * Creates `<hpa>-primary` for the user's HPA, or brings its spec back in line with the user's
 * (retargeted to the primary). Only the spec is written; the HPA controller owns its status and the
 * primary's replicas.
 */
export async function syncPrimaryAutoscaler(
  client: KubeClient,
  canary: Canary,
  ctx: ReconcileContext,
  signal?: AbortSignal,
): Promise<void> {
  const autoscaler = ctx.refs?.autoscaler;
  if (autoscaler?.kind !== 'ok') return;
  const opts = signal ? { signal } : {};
  const desired = buildPrimaryHpa(autoscaler.user, canary);
  const existing = autoscaler.primary;
  if (!existing) {
    await client.create(desired as unknown as KubeObject, opts);
    return;
  }
  if (existing.metadata.labels?.[MANAGED_BY] !== 'serin') {
    throw new EffectError(
      'AutoscalerCopyConflict',
      `HorizontalPodAutoscaler "${existing.metadata.name}" exists and was not made by serin: rename it or delete it`,
    );
  }
  if (sameSpec(existing.spec, desired.spec)) return;
  await client.jsonPatch(
    { apiVersion: HPA_API, kind: HPA_KIND, namespace: ctx.namespace, name: existing.metadata.name },
    [{ op: 'replace', path: '/spec', value: desired.spec }],
    opts,
  );
}

/** Suffix of the copy that keeps what `<name>-primary` held before a promotion, for an undo. */
export const PREVIOUS_COPY_SUFFIX = '-previous';
/** Annotation on a `-previous` copy: the primary revision whose content it holds. */
export const COPY_REVISION_ANNOTATION = 'serin.dev/revision';

/**
 * Gives the primary its copies `<name>-primary` of the target's tracked ConfigMaps and Secrets,
 * with the content read in this pass. A copy whose content is already the same is not written. The
 * content goes from object to object only: no log line, Event or status field carries it. With
 * `keep`, a promotion first saves a copy's old content in `<name>-primary-previous` (annotated with
 * the revision it belonged to), so that an abort during Promoting can put it back.
 */
export async function syncConfigCopies(
  client: KubeClient,
  canary: Canary,
  ctx: ReconcileContext,
  options: { signal?: AbortSignal | undefined; keep?: { revision: string } } = {},
): Promise<void> {
  const { signal, keep } = options;
  for (const config of trackedConfigs(ctx.refs)) {
    const name = configCopyName(config.name);
    const target = { ctx, canary, kind: config.kind, signal };
    const existing = keep ? await readCopy(client, { ...target, name }) : undefined;
    if (keep && existing && contentHash(existing) !== config.hash) {
      await writeCopy(client, {
        ...target,
        name: `${name}${PREVIOUS_COPY_SUFFIX}`,
        source: existing,
        revision: keep.revision,
      });
    }
    await writeCopy(client, { ...target, name, source: config.object });
  }
}

/**
 * After a promotion is undone: every copy the restored template uses gets back the content saved
 * for the stable revision (when a `-previous` copy for exactly that revision exists).
 */
export async function restoreConfigCopies(
  client: KubeClient,
  canary: Canary,
  input: { ctx: ReconcileContext; podSpec: unknown; stable: string; signal?: AbortSignal | undefined },
): Promise<void> {
  const { ctx, podSpec, stable, signal } = input;
  for (const ref of configRefs(podSpec)) {
    if (!ref.name.endsWith('-primary')) continue;
    const target = { ctx, canary, kind: ref.kind, signal };
    const saved = await readCopy(client, { ...target, name: `${ref.name}${PREVIOUS_COPY_SUFFIX}` });
    if (saved?.metadata.annotations?.[COPY_REVISION_ANNOTATION] !== stable) continue;
    await writeCopy(client, { ...target, name: ref.name, source: saved });
  }
}

interface CopyTarget {
  readonly ctx: ReconcileContext;
  readonly canary: Canary;
  readonly kind: ConfigKind;
  readonly name: string;
  readonly signal: AbortSignal | undefined;
}

async function readCopy(client: KubeClient, target: CopyTarget): Promise<KubeObject | undefined> {
  const { ctx, kind, name, signal } = target;
  const copy = await client.find(
    { apiVersion: 'v1', kind, namespace: ctx.namespace, name },
    signal ? { signal } : {},
  );
  if (copy && copy.metadata.labels?.[MANAGED_BY] !== 'serin') {
    throw new EffectError(
      'ConfigCopyConflict',
      `${kind} "${name}" exists and was not made by serin, which keeps the primary's copy there: rename it or delete it`,
    );
  }
  return copy;
}

/** Makes the copy `name` hold `source`'s content (and, for a `-previous` copy, the revision). */
async function writeCopy(
  client: KubeClient,
  target: CopyTarget & { source: KubeObject; revision?: string },
): Promise<void> {
  const { ctx, canary, kind, name, signal, source, revision } = target;
  const opts = signal ? { signal } : {};
  const ref = { apiVersion: 'v1', kind, namespace: ctx.namespace, name };
  const content = configContent(source);
  const annotations = revision === undefined ? undefined : { [COPY_REVISION_ANNOTATION]: revision };
  const existing = await readCopy(client, target);
  if (!existing) {
    const metadata = {
      name,
      namespace: ctx.namespace,
      labels: managedLabels(canary),
      ...(annotations ? { annotations } : {}),
    };
    await client.create({ apiVersion: 'v1', kind, metadata, ...content }, opts);
    return;
  }
  const sameRevision =
    revision === undefined || existing.metadata.annotations?.[COPY_REVISION_ANNOTATION] === revision;
  if (contentHash(existing) === contentHash(source) && sameRevision) return;
  const ops: JsonPatchOp[] = [];
  for (const key of ['data', 'binaryData'] as const) {
    const value = content[key];
    if (value !== undefined) ops.push({ op: 'add', path: `/${key}`, value });
    else if (existing[key] !== undefined) ops.push({ op: 'remove', path: `/${key}` });
  }
  if (annotations)
    ops.push({
      op: 'add',
      path: '/metadata/annotations',
      value: { ...existing.metadata.annotations, ...annotations },
    });
  await client.jsonPatch(ref, ops, opts);
}
