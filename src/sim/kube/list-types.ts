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
    const property = schema.properties?.[key];
    if (property !== undefined) return listDuplicates(property, v, path === '' ? key : `${path}.${key}`);
    // Map values are addressed like kube's field paths: `labels[key]`.
    return additional === undefined ? [] : listDuplicates(additional, v, `${path}[${key}]`);
  });
}

function duplicatesIn(schema: SchemaNode, list: readonly unknown[], path: string): StatusCause[] {
  const type = schema['x-kubernetes-list-type'];
  if (type !== 'map' && type !== 'set') return [];
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  if (type === 'map') {
    const notObject = list.findIndex((item) => !isRecord(item));
    if (notObject >= 0) {
      return [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${goValue(list[notObject])}: must be an object for an array of list-type map`,
          field: `${path}[${notObject}]`,
        },
      ];
    }
  }
  // Like kube, each repeated identity is reported once, at its second occurrence.
  const times = new Map<string, number>();
  const causes: StatusCause[] = [];
  list.forEach((item, index) => {
    const identity = type === 'map' && isRecord(item) ? mapKeys(item, keys) : item;
    const key = goValue(identity);
    const count = (times.get(key) ?? 0) + 1;
    times.set(key, count);
    if (count === 2) {
      causes.push({
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: ${key}`,
        field: `${path}[${index}]`,
      });
    }
  });
  return causes;
}

// The key fields that are set (kube leaves out the ones that are absent or null).
function mapKeys(item: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    keys.filter((k) => item[k] !== undefined && item[k] !== null).map((k) => [k, item[k]]),
  );
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
