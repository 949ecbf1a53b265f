/**
 * Server-side apply (`application/apply-patch+yaml`) for the common cases: create-or-merge,
 * removal of fields the same manager applied before and no longer applies, and conflicts with
 * other *apply* managers (409 unless force=true). Ownership is kept in metadata.managedFields
 * (FieldsV1). Lists are atomic unless the schema marks them `x-kubernetes-list-type: map`.
 * Field ownership by non-apply writers (PUT, merge/JSON patch) is not tracked.
 */
import { parse as parseYaml } from 'yaml';
import type { ApiResult, SimContext, Target, WriteOptions } from './context.ts';
import { toServed } from './meta.ts';
import { badRequest, failureStatus, KubeApiError } from './status.ts';
import type { StatusCause } from './status.ts';
import { apiVersionOf, clone, isRecord, jsonEqual } from './types.ts';
import type { JsonObject, KubeObject } from './types.ts';
import { commitUpdate, createObject } from './writes.ts';

type Path = string[];
type ListKeys = (propertyPath: readonly string[]) => string[] | undefined;

interface ManagedEntry {
  manager: string;
  operation: string;
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

function keySegment(element: JsonObject, keys: string[]): string {
  const picked: JsonObject = {};
  for (const k of keys) picked[k] = element[k];
  return `k:${JSON.stringify(picked)}`;
}

/** The field paths a configuration sets (leaves, plus list-map elements). */
function fieldsOf(value: unknown, path: Path, props: string[], listKeys: ListKeys, out: Path[]): void {
  if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value))
      fieldsOf(v, [...path, `f:${k}`], [...props, k], listKeys, out);
    return;
  }
  const keys = Array.isArray(value) ? listKeys(props) : undefined;
  if (Array.isArray(value) && keys !== undefined && value.every(isRecord)) {
    for (const element of value) {
      const elementPath = [...path, keySegment(element, keys)];
      out.push(elementPath);
      for (const [k, v] of Object.entries(element))
        fieldsOf(v, [...elementPath, `f:${k}`], [...props, k], listKeys, out);
    }
    return;
  }
  out.push(path);
}

function configFields(config: KubeObject, target: Target, listKeys: ListKeys): Path[] {
  const out: Path[] = [];
  const meta: JsonObject = {};
  if (config.metadata.labels !== undefined) meta.labels = config.metadata.labels;
  if (config.metadata.annotations !== undefined) meta.annotations = config.metadata.annotations;
  if (Object.keys(meta).length > 0) fieldsOf(meta, ['f:metadata'], ['metadata'], listKeys, out);
  for (const [k, v] of Object.entries(config)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    const isStatus = k === 'status';
    if (target.subresource === 'status' ? !isStatus : isStatus && target.type.statusSubresource) continue;
    fieldsOf(v, [`f:${k}`], [k], listKeys, out);
  }
  return out;
}

function toFieldsV1(paths: Path[]): JsonObject {
  const root: JsonObject = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p) {
      const next = isRecord(node[seg]) ? node[seg] : {};
      node[seg] = next;
      node = next;
    }
  }
  return root;
}

function fromFieldsV1(fields: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (!isRecord(fields)) return out;
  const entries = Object.entries(fields).filter(([k]) => k !== '.');
  if (entries.length === 0 && prefix.length > 0) out.push(prefix);
  for (const [k, v] of entries) {
    if (k.startsWith('k:')) out.push([...prefix, k]);
    fromFieldsV1(v, [...prefix, k], out);
  }
  return out;
}

function step(node: unknown, seg: string): unknown {
  if (seg.startsWith('f:')) return isRecord(node) ? node[seg.slice(2)] : undefined;
  if (!Array.isArray(node)) return undefined;
  const keys = JSON.parse(seg.slice(2)) as JsonObject;
  return node.find((e) => isRecord(e) && Object.entries(keys).every(([k, v]) => jsonEqual(e[k], v)));
}

function valueAt(obj: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, seg) => step(node, seg), obj);
}

function removeAt(obj: unknown, path: Path): void {
  const parent = valueAt(obj, path.slice(0, -1));
  const last = path[path.length - 1] ?? '';
  if (last.startsWith('f:') && isRecord(parent)) {
    Reflect.deleteProperty(parent, last.slice(2));
  } else if (Array.isArray(parent)) {
    const element = step(parent, last);
    const i = parent.indexOf(element);
    if (i >= 0) parent.splice(i, 1);
  }
}

function merge(live: unknown, config: unknown, props: string[], listKeys: ListKeys): unknown {
  if (isRecord(config)) {
    const out: JsonObject = isRecord(live) ? clone(live) : {};
    for (const [k, v] of Object.entries(config)) out[k] = merge(out[k], v, [...props, k], listKeys);
    return out;
  }
  const keys = Array.isArray(config) ? listKeys(props) : undefined;
  if (Array.isArray(config) && keys !== undefined && Array.isArray(live)) {
    const out = clone(live);
    for (const element of config) {
      const i = out.findIndex(
        (e) => isRecord(e) && isRecord(element) && keys.every((k) => jsonEqual(e[k], element[k])),
      );
      if (i >= 0) out[i] = merge(out[i], element, props, listKeys);
      else out.push(clone(element));
    }
    return out;
  }
  return clone(config);
}

function parseConfig(target: Target, raw: string): KubeObject {
  let parsed: unknown;
  try {
    parsed = parseYaml(raw) as unknown;
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
  if (!isRecord(parsed)) throw badRequest('apply patch must be an object');
  const config = parsed as KubeObject;
  if (!isRecord(config.metadata)) config.metadata = {};
  if (
    config.apiVersion !== apiVersionOf(target.type.group, target.version) ||
    config.kind !== target.type.kind
  ) {
    throw badRequest(
      `apiVersion and kind of the applied configuration must be ${apiVersionOf(target.type.group, target.version)} ${target.type.kind}`,
    );
  }
  if (config.metadata.name !== undefined && config.metadata.name !== target.name) {
    throw badRequest(
      `the name of the object (${config.metadata.name}) does not match the name on the URL (${target.name ?? ''})`,
    );
  }
  config.metadata.name = target.name ?? '';
  return config;
}

function pathText(p: Path): string {
  return p.map((s) => (s.startsWith('f:') ? `.${s.slice(2)}` : `[${s.slice(2)}]`)).join('');
}

function readEntries(obj: KubeObject | undefined): ManagedEntry[] {
  const mf = obj?.metadata.managedFields;
  return Array.isArray(mf) ? (mf as ManagedEntry[]) : [];
}

type OwnedEntry = ManagedEntry & { paths: Path[] };

interface ApplyState {
  live: KubeObject | undefined;
  config: KubeObject;
  mineKeys: Set<string>;
  force: boolean;
}

/** Other apply managers' fields the config changes: 409 unless forced (then ownership moves). */
function resolveConflicts(others: OwnedEntry[], state: ApplyState): void {
  const conflicts: StatusCause[] = [];
  for (const other of others) {
    if (other.operation !== 'Apply') continue;
    const clashing = other.paths.filter(
      (p) =>
        state.mineKeys.has(JSON.stringify(p)) && !jsonEqual(valueAt(state.live, p), valueAt(state.config, p)),
    );
    if (state.force) other.paths = other.paths.filter((p) => !clashing.includes(p));
    else
      for (const p of clashing)
        conflicts.push({
          reason: 'FieldManagerConflict',
          message: `conflict with "${other.manager}"`,
          field: pathText(p),
        });
  }
  if (conflicts.length === 0) return;
  const list = conflicts.map((c) => `- ${c.message}: ${c.field ?? ''}`).join('\n');
  const plural = conflicts.length === 1 ? '' : 's';
  throw new KubeApiError(
    failureStatus(409, 'Conflict', `Apply failed with ${conflicts.length} conflict${plural}: ${list}`, {
      causes: conflicts,
    }),
  );
}

/** The merged object, minus fields this manager applied before, no longer applies and nobody else owns. */
function mergedResult(
  state: ApplyState,
  previous: OwnedEntry | undefined,
  others: OwnedEntry[],
  listKeys: ListKeys,
): KubeObject {
  const result =
    state.live === undefined
      ? clone(state.config)
      : (merge(state.live, state.config, [], listKeys) as KubeObject);
  const ownedByOthers = new Set(others.flatMap((o) => o.paths.map((p) => JSON.stringify(p))));
  const dropped = (previous?.paths ?? []).filter(
    (p) => !state.mineKeys.has(JSON.stringify(p)) && !ownedByOthers.has(JSON.stringify(p)),
  );
  for (const p of dropped.sort((a, b) => b.length - a.length)) removeAt(result, p);
  return result;
}

/** Handles a PATCH with Content-Type application/apply-patch+yaml. */
export function applyConfiguration(
  ctx: SimContext,
  target: Target,
  raw: string,
  opts: WriteOptions,
): ApiResult {
  const manager = opts.fieldManager;
  if (manager === undefined || manager === '') {
    throw badRequest('PATCH requests with apply content type must specify fieldManager');
  }
  const config = parseConfig(target, raw);
  const schema = target.type.schemas.get(target.version);
  const listKeys: ListKeys = (p) => schema?.listMapKeys(p);
  const stored = ctx.store.get(target.type, target.namespace, target.name ?? '');
  const subresource = target.subresource === 'status' ? 'status' : undefined;
  const mine = configFields(config, target, listKeys);
  const state: ApplyState = {
    live: stored === undefined ? undefined : toServed(stored, target.type, target.version),
    config,
    mineKeys: new Set(mine.map((p) => JSON.stringify(p))),
    force: opts.force,
  };
  const entries: OwnedEntry[] = readEntries(stored).map((e) => ({ ...e, paths: fromFieldsV1(e.fieldsV1) }));
  const isMine = (e: OwnedEntry): boolean =>
    e.manager === manager && e.operation === 'Apply' && e.subresource === subresource;
  const others = entries.filter((e) => !isMine(e));
  const previous = entries.find(isMine);
  resolveConflicts(others, state);
  const result = mergedResult(state, previous, others, listKeys);
  const fieldsV1 = toFieldsV1(mine);
  const entry: ManagedEntry = {
    manager,
    operation: 'Apply',
    apiVersion: apiVersionOf(target.type.group, target.version),
    // An apply that changes nothing must not change the object (and its resourceVersion).
    time: previous !== undefined && jsonEqual(previous.fieldsV1, fieldsV1) ? previous.time : ctx.now(),
    fieldsType: 'FieldsV1',
    fieldsV1,
    ...(subresource === undefined ? {} : { subresource }),
  };
  const managedFields = [
    ...others.map(({ paths, ...rest }) => ({ ...rest, fieldsV1: toFieldsV1(paths) })),
    entry,
  ];
  if (stored === undefined) {
    if (subresource !== undefined)
      throw badRequest('cannot apply to the status of an object that does not exist');
    return createObject(ctx, { target, body: result, opts, managedFields });
  }
  result.metadata.resourceVersion ??= stored.metadata.resourceVersion;
  return commitUpdate(ctx, { target, existing: stored, incoming: result, opts, managedFields });
}
