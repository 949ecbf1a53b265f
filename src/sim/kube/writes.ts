/**
 * Create and update as kube-apiserver performs them: server-managed metadata, status subresource
 * separation, generation, optimistic concurrency, admission (prune/default/validate) and no-op
 * detection.
 */
import { randomUUID } from 'node:crypto';
import type { ApiResult, SimContext, Target, WriteOptions } from './context.ts';
import { generatedName, metadataCauses, toServed, toStorage } from './meta.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  failureStatus,
  internalError,
  invalid,
  KubeApiError,
  notFound,
} from './status.ts';
import type { StatusCause } from './status.ts';
import { apiVersionOf, clone, isRecord, jsonEqual } from './types.ts';
import type { KubeObject, ResourceType } from './types.ts';

const SERVER_MANAGED = [
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'managedFields',
] as const;

/** Reads the body as an object of the target's kind; 400 when it is not. */
export function asObject(target: Target, body: unknown): KubeObject {
  if (!isRecord(body)) throw badRequest('the body of the request must be a JSON object');
  const obj = clone(body) as KubeObject;
  if (!isRecord(obj.metadata)) obj.metadata = {};
  if (obj.kind !== undefined && obj.kind !== target.type.kind && target.subresource !== 'scale') {
    throw badRequest(
      `the kind of the object (${obj.kind}) does not match the kind of the resource (${target.type.kind})`,
    );
  }
  const expected = apiVersionOf(target.type.group, target.version);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected && target.subresource !== 'scale') {
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`,
    );
  }
  const ns = obj.metadata.namespace;
  if (target.type.namespaced) {
    if (ns !== undefined && ns !== '' && ns !== target.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (target.namespace !== undefined) obj.metadata.namespace = target.namespace;
  } else {
    delete obj.metadata.namespace;
  }
  return obj;
}

function checkNamespace(ctx: SimContext, target: Target, name: string): void {
  if (!target.type.namespaced || target.namespace === undefined) return;
  const nsType = ctx.registry.byPlural('', 'v1', 'namespaces');
  if (nsType === undefined) return;
  const ns = ctx.store.get(nsType, undefined, target.namespace);
  if (ns === undefined) throw notFound(nsType, target.namespace);
  if (ns.metadata.deletionTimestamp !== undefined) {
    const kindQ =
      target.type.group === '' ? target.type.plural : `${target.type.plural}.${target.type.group}`;
    throw new KubeApiError(
      failureStatus(
        403,
        'Forbidden',
        `${kindQ} "${name}" is forbidden: unable to create new content in namespace ${target.namespace} because it is being terminated`,
      ),
    );
  }
}

/** Runs schema and built-in admission; throws 422 / 400 (Strict) and returns pruning warnings. */
function admit(ctx: {
  target: Target;
  obj: KubeObject;
  old: KubeObject | undefined;
  opts: WriteOptions;
}): string[] {
  const { target, obj, old, opts } = ctx;
  const type = target.type;
  const schema = type.schemas.get(target.version);
  const causes: StatusCause[] = [...metadataCauses(type, obj)];
  let pruned: string[] = [];
  if (schema !== undefined) {
    const result = schema.admit(obj, old);
    pruned = result.pruned;
    causes.push(...result.causes);
  }
  if (type.admitBuiltin !== undefined) causes.push(...type.admitBuiltin(obj, old));
  if (pruned.length > 0 && opts.fieldValidation === 'Strict') {
    throw badRequest(`strict decoding error: ${pruned.map((p) => `unknown field "${p}"`).join(', ')}`);
  }
  if (causes.length > 0) throw invalid(type, obj.metadata.name ?? '', causes);
  return opts.fieldValidation === 'Warn' ? pruned.map((p) => `unknown field "${p}"`) : [];
}

/** Fills what the server owns on create; status is dropped when the status subresource is on. */
function setServerMetadata(ctx: SimContext, req: CreateRequest, obj: KubeObject): void {
  const meta = obj.metadata;
  for (const key of SERVER_MANAGED) Reflect.deleteProperty(meta, key);
  if (req.managedFields !== undefined) meta.managedFields = req.managedFields;
  meta.uid = randomUUID();
  meta.creationTimestamp = ctx.now();
  if (req.target.type.generation) meta.generation = 1;
  if (req.target.type.statusSubresource) delete obj.status;
}

/** A create: the body, plus the managedFields server-side apply computed (if any). */
export interface CreateRequest {
  target: Target;
  body: unknown;
  opts: WriteOptions;
  managedFields?: unknown[];
}

/** POST: creates an object. */
export function createObject(ctx: SimContext, req: CreateRequest): ApiResult {
  const { target, opts } = req;
  const obj = asObject(target, req.body);
  const meta = obj.metadata;
  if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName);
  if (meta.resourceVersion) {
    throw internalError('resourceVersion should not be set on objects to be created');
  }
  checkNamespace(ctx, target, meta.name ?? '');
  setServerMetadata(ctx, req, obj);
  const stored = toStorage(obj, target.type);
  const warnings = admit({ target, obj: stored, old: undefined, opts });
  if (ctx.store.has(target.type, meta.namespace, meta.name ?? '')) {
    throw alreadyExists(target.type, meta.name ?? '');
  }
  const saved = opts.dryRun ? stored : ctx.store.put(target.type, stored, undefined);
  if (!opts.dryRun && (saved.metadata.ownerReferences ?? []).length > 0) ctx.collectGarbage();
  return { code: 201, body: toServed(saved, target.type, target.version), warnings };
}

/** The fields whose change bumps metadata.generation. */
function specOf(type: ResourceType, obj: KubeObject): unknown {
  if (!type.custom) return obj.spec;
  const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = obj;
  return type.statusSubresource ? rest : { ...rest, status };
}

function candidateFor(target: Target, existing: KubeObject, incoming: KubeObject): KubeObject {
  if (target.subresource === 'status') {
    // A /status write keeps everything of the stored object except status.
    const next = clone(existing);
    if (incoming.status === undefined) delete next.status;
    else next.status = incoming.status;
    return next;
  }
  const next = clone(incoming);
  if (target.type.statusSubresource) {
    if (existing.status === undefined) delete next.status;
    else next.status = clone(existing.status);
  }
  for (const key of SERVER_MANAGED) {
    if (existing.metadata[key] === undefined) Reflect.deleteProperty(next.metadata, key);
    else (next.metadata as Record<string, unknown>)[key] = clone(existing.metadata[key]);
  }
  return next;
}

function checkVersion(target: Target, existing: KubeObject, incoming: KubeObject): void {
  const rv = incoming.metadata.resourceVersion;
  const name = existing.metadata.name ?? '';
  if (rv === undefined || rv === '') {
    if (!target.type.unconditionalUpdate) {
      throw invalid(target.type, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.resourceVersion',
          message: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    }
    return;
  }
  if (rv !== existing.metadata.resourceVersion) throw conflict(target.type, name);
}

/**
 * kube-apiserver's ValidateObjectMetaUpdate: once an object is being deleted, finalizers may only be
 * removed. A controller that adds its finalizer to a Canary deleted before it first saw it gets this.
 */
function checkNoNewFinalizers(target: Target, existing: KubeObject, next: KubeObject): void {
  if (existing.metadata.deletionTimestamp === undefined) return;
  const before = new Set(existing.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
  if (added.length === 0) return;
  throw invalid(target.type, existing.metadata.name ?? '', [
    {
      reason: 'FieldValueForbidden',
      field: 'metadata.finalizers',
      message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
    },
  ]);
}

/** An update of `existing` to `incoming` (managedFields set only by server-side apply). */
export interface UpdateRequest {
  target: Target;
  existing: KubeObject;
  incoming: KubeObject;
  opts: WriteOptions;
  managedFields?: unknown[];
}

/**
 * Commits `incoming` as the new state of `existing` (PUT, and the last step of every patch).
 * Returns the stored object served at the target's version.
 */
export function commitUpdate(ctx: SimContext, req: UpdateRequest): ApiResult {
  const { target, existing, opts } = req;
  const incoming = toStorage(req.incoming, target.type);
  const name = existing.metadata.name ?? '';
  if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
    throw badRequest(
      `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  incoming.metadata.name = name;
  checkVersion(target, existing, incoming);
  const next = candidateFor(target, existing, incoming);
  checkNoNewFinalizers(target, existing, next);
  if (req.managedFields !== undefined) next.metadata.managedFields = req.managedFields;
  const warnings = admit({ target, obj: next, old: existing, opts });
  if (target.type.generation && !jsonEqual(specOf(target.type, next), specOf(target.type, existing))) {
    next.metadata.generation = (existing.metadata.generation ?? 1) + 1;
  }
  next.metadata.resourceVersion = existing.metadata.resourceVersion;
  if (jsonEqual(next, existing)) {
    return { code: 200, body: toServed(existing, target.type, target.version), warnings };
  }
  if (opts.dryRun) return { code: 200, body: toServed(next, target.type, target.version), warnings };
  const finalizers = next.metadata.finalizers ?? [];
  if (next.metadata.deletionTimestamp !== undefined && finalizers.length === 0) {
    // The last finalizer is gone: the object is removed now.
    const gone = ctx.store.remove(target.type, next);
    ctx.collectGarbage();
    return { code: 200, body: toServed(gone, target.type, target.version), warnings };
  }
  const saved = ctx.store.put(target.type, next, existing);
  return { code: 200, body: toServed(saved, target.type, target.version), warnings };
}

/** Fetches the object a request names, or 404. */
export function existingOr404(ctx: SimContext, target: Target): KubeObject {
  const name = target.name ?? '';
  const existing = ctx.store.get(target.type, target.namespace, name);
  if (existing === undefined) throw notFound(target.type, name);
  return existing;
}

/** PUT: replaces an object (or its status). */
export function updateObject(ctx: SimContext, target: Target, body: unknown, opts: WriteOptions): ApiResult {
  const existing = existingOr404(ctx, target);
  return commitUpdate(ctx, { target, existing, incoming: asObject(target, body), opts });
}
