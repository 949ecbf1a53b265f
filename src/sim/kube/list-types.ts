/**
 * Uniqueness of `x-kubernetes-list-type: map` and `set` lists, as kube-apiserver checks it on
 * custom resources (apiextensions' ValidateListSetsAndMaps): the second item with the same keys
 * is a `Duplicate value`, printed the way Go's %#v prints it.
 */
import type { StatusCause } from './status.ts';
import type { SchemaNode } from './structural.ts';
import { isRecord } from './types.ts';

/** Every duplicate in the list-type map and set lists of `value`, at any depth. */
export function listDuplicates(schema: SchemaNode, value: unknown, path = ''): StatusCause[] {
  if (Array.isArray(value)) {
    const items = schema.items;
    const causes = duplicatesIn(schema, value, path);
    if (items !== undefined)
      value.forEach((v, i) => causes.push(...listDuplicates(items, v, `${path}[${i}]`)));
    return causes;
  }
  if (!isRecord(value)) return [];
  const additional = isRecord(schema.additionalProperties) ? schema.additionalProperties : undefined;
  return Object.entries(value).flatMap(([key, v]) => {
    const child = schema.properties?.[key] ?? additional;
    return child === undefined ? [] : listDuplicates(child, v, path === '' ? key : `${path}.${key}`);
  });
}

function duplicatesIn(schema: SchemaNode, list: readonly unknown[], path: string): StatusCause[] {
  const type = schema['x-kubernetes-list-type'];
  if (type !== 'map' && type !== 'set') return [];
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Set<string>();
  const causes: StatusCause[] = [];
  list.forEach((item, index) => {
    const identity = type === 'map' ? mapKeys(item, keys) : item;
    const key = JSON.stringify(identity);
    if (seen.has(key)) {
      causes.push({
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: ${goValue(identity)}`,
        field: `${path}[${index}]`,
      });
    }
    seen.add(key);
  });
  return causes;
}

// The key fields that are set, in key order (kube leaves out the ones that are absent).
function mapKeys(item: unknown, keys: readonly string[]): Record<string, unknown> {
  if (!isRecord(item)) return {};
  return Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]]));
}

/** A JSON value the way Go's %#v prints it once decoded: maps with sorted keys, quoted strings. */
function goValue(value: unknown): string {
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goValue(value[k])}`);
    return `map[string]interface {}{${entries.join(', ')}}`;
  }
  if (Array.isArray(value)) return `[]interface {}{${value.map(goValue).join(', ')}}`;
  return JSON.stringify(value);
}
