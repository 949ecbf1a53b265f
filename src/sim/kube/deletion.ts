/** DELETE of one object or a collection: preconditions, finalizers, propagation policy. */
import type { ApiResult, SimContext, Target, WriteOptions } from './context.ts';
import { toServed } from './meta.ts';
import type { Selector } from './selectors.ts';
import { badRequest, conflict } from './status.ts';
import { isRecord } from './types.ts';
import type { KubeObject } from './types.ts';
import { existingOr404 } from './writes.ts';

/** Finalizers the garbage collector understands. */
export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** The parts of DeleteOptions the simulator honours. */
export interface DeleteOptions {
  propagationPolicy: 'Orphan' | 'Background' | 'Foreground' | undefined;
  preconditions: { uid?: string; resourceVersion?: string } | undefined;
}

/** Reads DeleteOptions from the body and query (query wins, as in kube). */
export function parseDeleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const b = isRecord(body) ? body : {};
  const policy =
    query.get('propagationPolicy') ??
    (typeof b.propagationPolicy === 'string' ? b.propagationPolicy : undefined);
  if (policy !== undefined && policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
    throw badRequest(
      `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  const orphan = b.orphanDependents === true ? 'Orphan' : undefined;
  const pre = isRecord(b.preconditions) ? (b.preconditions as DeleteOptions['preconditions']) : undefined;
  return { propagationPolicy: policy ?? orphan, preconditions: pre };
}

function checkPreconditions(target: Target, obj: KubeObject, pre: DeleteOptions['preconditions']): void {
  const name = obj.metadata.name ?? '';
  if (pre?.uid !== undefined && pre.uid !== obj.metadata.uid) {
    throw conflict(
      target.type,
      name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ''}`,
    );
  }
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(
      target.type,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`,
    );
  }
}

function policyFinalizer(policy: DeleteOptions['propagationPolicy']): string | undefined {
  if (policy === 'Orphan') return ORPHAN_FINALIZER;
  if (policy === 'Foreground') return FOREGROUND_FINALIZER;
  return undefined;
}

function successStatus(target: Target, obj: KubeObject): object {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: obj.metadata.name,
      group: target.type.group,
      kind: target.type.plural,
      uid: obj.metadata.uid,
    },
  };
}

/** Marks an object as being deleted (finalizers pending, or a namespace to be emptied). */
function markDeleting(
  ctx: SimContext,
  target: Target,
  existing: KubeObject,
  finalizers: string[],
  opts: WriteOptions,
): ApiResult {
  const next = structuredClone(existing);
  next.metadata.deletionTimestamp = ctx.now();
  next.metadata.deletionGracePeriodSeconds = 0;
  if (finalizers.length > 0) next.metadata.finalizers = finalizers;
  if (isNamespace(target))
    next.status = { ...(isRecord(next.status) ? next.status : {}), phase: 'Terminating' };
  const saved = opts.dryRun ? next : ctx.store.put(target.type, next, existing);
  if (!opts.dryRun) ctx.collectGarbage();
  return { code: 200, body: toServed(saved, target.type, target.version), warnings: [] };
}

function isNamespace(target: Target): boolean {
  return target.type.group === '' && target.type.plural === 'namespaces';
}

/** Deletes one object already read from the store. */
export function deleteExisting(
  ctx: SimContext,
  target: Target,
  existing: KubeObject,
  request: { options: DeleteOptions; opts: WriteOptions },
): ApiResult {
  const { options, opts } = request;
  checkPreconditions(target, existing, options.preconditions);
  if (existing.metadata.deletionTimestamp !== undefined) {
    return { code: 200, body: toServed(existing, target.type, target.version), warnings: [] };
  }
  const extra = policyFinalizer(options.propagationPolicy);
  const finalizers = [...(existing.metadata.finalizers ?? [])];
  if (extra !== undefined && !finalizers.includes(extra)) finalizers.push(extra);
  if (finalizers.length > 0 || isNamespace(target))
    return markDeleting(ctx, target, existing, finalizers, opts);
  const gone = opts.dryRun ? existing : ctx.store.remove(target.type, existing);
  if (!opts.dryRun) ctx.collectGarbage();
  // Custom resources return the deleted object; built-ins return a Success Status.
  const body = target.type.custom ? toServed(gone, target.type, target.version) : successStatus(target, gone);
  return { code: 200, body, warnings: [] };
}

/** DELETE of a named object. */
export function deleteObject(
  ctx: SimContext,
  target: Target,
  options: DeleteOptions,
  opts: WriteOptions,
): ApiResult {
  return deleteExisting(ctx, target, existingOr404(ctx, target), { options, opts });
}

/** DELETE of a collection (with selectors); answers with the list of affected objects. */
export function deleteCollection(
  ctx: SimContext,
  target: Target,
  selector: Selector,
  options: DeleteOptions,
  opts: WriteOptions,
): ApiResult {
  const type = target.type;
  const victims = ctx.store.list(type, type.namespaced ? target.namespace : undefined).filter(selector);
  const items = victims.map(
    (v) => deleteExisting(ctx, { ...target, name: v.metadata.name }, v, { options, opts }).body,
  );
  return {
    code: 200,
    body: {
      kind: type.listKind,
      apiVersion: target.type.group === '' ? target.version : `${type.group}/${target.version}`,
      metadata: { resourceVersion: String(ctx.store.currentRv()) },
      items,
    },
    warnings: [],
  };
}
