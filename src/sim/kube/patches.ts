/** PATCH: dispatches on Content-Type to JSON patch, merge patch, strategic merge or apply. */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { applyConfiguration } from './apply.ts';
import type { ApiResult, SimContext, Target, WriteOptions } from './context.ts';
import { mergePatch, strategicMerge } from './merge.ts';
import { toServed } from './meta.ts';
import { badRequest, failureStatus, KubeApiError, unsupportedMediaType } from './status.ts';
import { isRecord } from './types.ts';
import type { KubeObject } from './types.ts';
import { asObject, commitUpdate, existingOr404 } from './writes.ts';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

function accepted(target: Target): string[] {
  const base = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];
  return target.type.custom ? base : [...base, STRATEGIC_MERGE_PATCH];
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

/** kube answers any error applying a JSON patch with 422 and the library's message as the cause. */
function patchFailed(message: string): KubeApiError {
  return new KubeApiError(
    failureStatus(422, 'Invalid', 'the server rejected our request due to an error in our request', {
      causes: [{ reason: 'UnexpectedServerResponse', message }],
    }),
  );
}

function applyJsonPatch(doc: KubeObject, raw: string): KubeObject {
  const ops = parseJson(raw);
  if (!Array.isArray(ops))
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    return jsonpatch.applyPatch(doc, ops as Operation[], true, false).newDocument;
  } catch (err) {
    const e = err as { name?: string; operation?: { path?: string }; message?: string };
    if (e.name === 'TEST_OPERATION_FAILED')
      throw patchFailed(`testing value ${e.operation?.path ?? ''} failed: test failed`);
    throw patchFailed((e.message ?? String(err)).split('\n')[0] ?? 'invalid patch');
  }
}

function asPatchObject(raw: string): Record<string, unknown> {
  const patch = parseJson(raw);
  if (!isRecord(patch))
    throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
  return patch;
}

/** Applies a PATCH request. */
export function patchObject(
  ctx: SimContext,
  target: Target,
  contentType: string,
  raw: string,
  opts: WriteOptions,
): ApiResult {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === APPLY_PATCH) return applyConfiguration(ctx, target, raw, opts);
  if (type === STRATEGIC_MERGE_PATCH && target.type.custom) throw unsupportedMediaType(accepted(target));
  if (type !== JSON_PATCH && type !== MERGE_PATCH && type !== STRATEGIC_MERGE_PATCH) {
    throw unsupportedMediaType(accepted(target));
  }
  const existing = existingOr404(ctx, target);
  const served = toServed(existing, target.type, target.version);
  let patched: unknown;
  if (type === JSON_PATCH) patched = applyJsonPatch(served, raw);
  else if (type === MERGE_PATCH) patched = mergePatch(served, asPatchObject(raw));
  else patched = strategicMerge(served, asPatchObject(raw));
  return commitUpdate(ctx, { target, existing, incoming: asObject(target, patched), opts });
}
