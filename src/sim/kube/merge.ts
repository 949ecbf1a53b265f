/**
 * JSON merge patch (RFC 7386) and the simulator's approximation of strategic merge patch for
 * built-in kinds: a merge patch in which lists with a known merge key (containers by name, ...)
 * are merged element by element and `$patch: delete|replace` directives are honoured.
 */
import { clone, isRecord } from './types.ts';
import type { JsonObject } from './types.ts';

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  const out: JsonObject = isRecord(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(out, key);
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** Merge keys kube's built-in types declare (patchMergeKey), by field name. */
const MERGE_KEYS: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  imagePullSecrets: ['name'],
  ports: ['containerPort', 'port'],
  conditions: ['type'],
  tolerations: ['key'],
  hostAliases: ['ip'],
  ownerReferences: ['uid'],
};

function mergeKeyFor(field: string, list: unknown[]): string | undefined {
  const candidates = MERGE_KEYS[field];
  if (candidates === undefined) return undefined;
  return candidates.find((k) => list.every((e) => isRecord(e) && e[k] !== undefined));
}

function strategicList(field: string, target: unknown, patch: unknown[]): unknown[] {
  const isDirective = (e: unknown): boolean =>
    isRecord(e) && typeof e.$patch === 'string' && Object.keys(e).length === 1;
  if (patch.some((e) => isDirective(e) && isRecord(e) && e.$patch === 'replace')) {
    return patch.filter((e) => !isDirective(e)).map((e) => stripDirectives(e));
  }
  const base: unknown[] = Array.isArray(target) ? (clone(target) as unknown[]) : [];
  const key = mergeKeyFor(field, [...base, ...patch]);
  if (key === undefined) return patch.map((e) => stripDirectives(e));
  for (const element of patch) {
    if (!isRecord(element)) continue;
    const i = base.findIndex((b) => isRecord(b) && b[key] === element[key]);
    if (element.$patch === 'delete') {
      if (i >= 0) base.splice(i, 1);
    } else if (i >= 0) {
      base[i] = strategicMerge(base[i], element);
    } else {
      base.push(stripDirectives(element));
    }
  }
  return base;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isRecord(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}

/** Strategic merge approximation (see the module comment). */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  const out: JsonObject = isRecord(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) Reflect.deleteProperty(out, key);
    else if (Array.isArray(value)) out[key] = strategicList(key, out[key], value);
    else out[key] = strategicMerge(out[key], value);
  }
  return out;
}
