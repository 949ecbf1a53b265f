/** Label and field selectors, parsed with the syntax kube-apiserver accepts. */
import { badRequest } from './status.ts';
import { isRecord } from './types.ts';
import type { KubeObject } from './types.ts';

/** One requirement of a label selector. */
export type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

/** A predicate over objects. */
export type Selector = (obj: KubeObject) => boolean;

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function checkKey(key: string, raw: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${raw}"`);
  return key;
}

function checkValue(value: string, raw: string): string {
  if (value.length > 63 || !VALUE.test(value))
    throw badRequest(`unable to parse requirement: invalid label value "${value}" in "${raw}"`);
  return value;
}

function parseRequirement(raw: string): LabelRequirement {
  const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(raw);
  if (set !== null) {
    const values = (set[3] ?? '').split(',').map((v) => checkValue(v.trim(), raw));
    return { op: set[2] === 'in' ? 'in' : 'notin', key: checkKey(set[1] ?? '', raw), values };
  }
  const cmp = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(raw);
  if (cmp !== null) {
    const op = cmp[2] === '!=' ? 'neq' : 'eq';
    return { op, key: checkKey(cmp[1] ?? '', raw), value: checkValue((cmp[3] ?? '').trim(), raw) };
  }
  if (raw.startsWith('!')) return { op: 'notexists', key: checkKey(raw.slice(1).trim(), raw) };
  return { op: 'exists', key: checkKey(raw, raw) };
}

/** Parses a labelSelector query value; throws a 400 Status on bad syntax. */
export function parseLabelSelector(text: string | null): LabelRequirement[] {
  if (text === null || text.trim() === '') return [];
  return splitTopLevel(text).map(parseRequirement);
}

function matchesOne(req: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case 'eq':
      return has && value === req.value;
    case 'neq':
      return !has || value !== req.value;
    case 'in':
      return has && req.values.includes(value ?? '');
    case 'notin':
      return !has || !req.values.includes(value ?? '');
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

/** True if the labels satisfy every requirement. */
export function matchesLabels(
  reqs: readonly LabelRequirement[],
  labels: Record<string, string> | undefined,
): boolean {
  return reqs.every((r) => matchesOne(r, labels ?? {}));
}

interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

function fieldValue(obj: KubeObject, field: string): string {
  let cursor: unknown = obj;
  for (const segment of field.split('.')) cursor = isRecord(cursor) ? cursor[segment] : undefined;
  if (field === 'source' && isRecord(obj.source)) cursor = obj.source.component;
  return typeof cursor === 'string' || typeof cursor === 'number' || typeof cursor === 'boolean'
    ? String(cursor)
    : '';
}

/** Parses a fieldSelector; only metadata.name, metadata.namespace and the type's selectable fields. */
export function parseFieldSelector(text: string | null, selectable: readonly string[]): FieldRequirement[] {
  if (text === null || text.trim() === '') return [];
  return splitTopLevel(text).map((raw) => {
    const m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(raw);
    if (m === null) throw badRequest(`invalid selector: '${raw}'; can't understand '${raw}'`);
    const field = m[1] ?? '';
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !selectable.includes(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    return { field, value: (m[3] ?? '').trim(), negate: m[2] === '!=' };
  });
}

/** Builds the combined predicate for a list or watch request. */
export function selectorFor(
  labels: readonly LabelRequirement[],
  fields: readonly FieldRequirement[],
): Selector {
  return (obj) =>
    matchesLabels(labels, obj.metadata.labels) &&
    fields.every((f) => (fieldValue(obj, f.field) === f.value) !== f.negate);
}
