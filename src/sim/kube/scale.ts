/** The autoscaling/v1 Scale subresource of Deployments. */
import type { ApiResult, SimContext, Target, WriteOptions } from './context.ts';
import { mergePatch } from './merge.ts';
import { badRequest, unsupportedMediaType } from './status.ts';
import { clone, isRecord } from './types.ts';
import type { KubeObject } from './types.ts';
import { commitUpdate, existingOr404 } from './writes.ts';

function selectorText(spec: Record<string, unknown>): string {
  const selector =
    isRecord(spec.selector) && isRecord(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

function scaleOf(obj: KubeObject): KubeObject {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas },
    status: {
      replicas: typeof status.replicas === 'number' ? status.replicas : 0,
      selector: selectorText(spec),
    },
  };
}

/** GET .../scale */
export function getScale(ctx: SimContext, target: Target): ApiResult {
  return { code: 200, body: scaleOf(existingOr404(ctx, target)), warnings: [] };
}

function writeScale(
  ctx: SimContext,
  target: Target,
  existing: KubeObject,
  scale: unknown,
  opts: WriteOptions,
): ApiResult {
  if (!isRecord(scale) || !isRecord(scale.spec) || typeof scale.spec.replicas !== 'number') {
    throw badRequest('Scale.spec.replicas must be an integer');
  }
  const next = clone(existing);
  next.spec = { ...(isRecord(next.spec) ? next.spec : {}), replicas: scale.spec.replicas };
  const meta = isRecord(scale.metadata) ? scale.metadata : {};
  next.metadata.resourceVersion =
    typeof meta.resourceVersion === 'string' ? meta.resourceVersion : existing.metadata.resourceVersion;
  const mainTarget: Target = { ...target, subresource: undefined };
  const result = commitUpdate(ctx, { target: mainTarget, existing, incoming: next, opts });
  return { ...result, body: scaleOf(result.body as KubeObject) };
}

/** PUT .../scale */
export function updateScale(ctx: SimContext, target: Target, body: unknown, opts: WriteOptions): ApiResult {
  return writeScale(ctx, target, existingOr404(ctx, target), body, opts);
}

/** PATCH .../scale (merge patch only). */
export function patchScale(
  ctx: SimContext,
  target: Target,
  contentType: string,
  raw: string,
  opts: WriteOptions,
): ApiResult {
  const type = contentType.split(';')[0]?.trim() ?? '';
  if (type !== 'application/merge-patch+json' && type !== 'application/strategic-merge-patch+json') {
    throw unsupportedMediaType(['application/merge-patch+json', 'application/strategic-merge-patch+json']);
  }
  const existing = existingOr404(ctx, target);
  let patch: unknown;
  try {
    patch = JSON.parse(raw) as unknown;
  } catch {
    throw badRequest('error decoding patch');
  }
  return writeScale(ctx, target, existing, mergePatch(scaleOf(existing), patch), opts);
}
