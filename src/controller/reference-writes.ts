import type { Canary } from '../api/index.ts';
import type { JsonPatchOp, KubeClient, KubeObject } from '../kube/index.ts';
import { EffectError } from './act.ts';
import { buildPrimaryHpa, HPA_API, HPA_KIND } from './autoscaler.ts';
import { configContent, configCopyName, contentHash } from './config-refs.ts';
import type { ReconcileContext } from './gather.ts';
import { trackedConfigs, type TrackedConfig } from './references.ts';
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

/**
 * Gives the primary its copies `<name>-primary` of the target's tracked ConfigMaps and Secrets,
 * with the content read in this pass. A copy whose content is already the same is not written. The
 * content goes from object to object only: no log line, Event or status field carries it.
 */
export async function syncConfigCopies(
  client: KubeClient,
  canary: Canary,
  ctx: ReconcileContext,
  signal?: AbortSignal,
): Promise<void> {
  for (const config of trackedConfigs(ctx.refs)) await syncCopy(client, canary, { ctx, config, signal });
}

async function syncCopy(
  client: KubeClient,
  canary: Canary,
  input: { ctx: ReconcileContext; config: TrackedConfig; signal: AbortSignal | undefined },
): Promise<void> {
  const { ctx, config, signal } = input;
  const opts = signal ? { signal } : {};
  const ref = {
    apiVersion: 'v1',
    kind: config.kind,
    namespace: ctx.namespace,
    name: configCopyName(config.name),
  };
  const content = configContent(config.object);
  const existing = await client.find(ref, opts);
  if (!existing) {
    await client.create(
      {
        apiVersion: 'v1',
        kind: config.kind,
        metadata: { name: ref.name, namespace: ctx.namespace, labels: managedLabels(canary) },
        ...content,
      },
      opts,
    );
    return;
  }
  if (existing.metadata.labels?.[MANAGED_BY] !== 'serin') {
    throw new EffectError(
      'ConfigCopyConflict',
      `${config.kind} "${ref.name}" exists and was not made by serin: serin copies ${config.kind} "${config.name}" there for the primary; rename it or delete it`,
    );
  }
  if (contentHash(existing) === config.hash) return;
  const ops: JsonPatchOp[] = [];
  for (const key of ['data', 'binaryData'] as const) {
    const value = content[key];
    if (value !== undefined) ops.push({ op: 'add', path: `/${key}`, value });
    else if (existing[key] !== undefined) ops.push({ op: 'remove', path: `/${key}` });
  }
  await client.jsonPatch(ref, ops, opts);
}
