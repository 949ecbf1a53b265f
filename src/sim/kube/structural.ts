/**
 * The structural-schema passes kube-apiserver runs on custom resources before validation:
 * dropping nulls that are not `nullable`, pruning unknown fields (unless
 * `x-kubernetes-preserve-unknown-fields`), and applying `default`s.
 */
import { clone, isRecord } from './types.ts';
import type { JsonObject } from './types.ts';

/** An OpenAPI v3 schema node as found in a CRD (only the keys the passes read are typed). */
export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  default?: unknown;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: { rule: string; message?: string; fieldPath?: string; reason?: string }[];
  [key: string]: unknown;
}

/** ObjectMeta fields that survive decoding; anything else in metadata is dropped like the real API does. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

/** Drops unknown metadata fields; returns the dropped paths. */
export function pruneMetadata(obj: JsonObject): string[] {
  const meta = obj.metadata;
  if (!isRecord(meta)) return [];
  const pruned: string[] = [];
  for (const key of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(key)) {
      pruned.push(`metadata.${key}`);
      Reflect.deleteProperty(meta, key);
    }
  }
  return pruned;
}

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function preserves(schema: SchemaNode): boolean {
  return schema['x-kubernetes-preserve-unknown-fields'] === true;
}

/**
 * Prunes, drops non-nullable nulls and defaults `value` in place against `schema`.
 * At the root, apiVersion/kind/metadata are kept whatever the schema says.
 */
export function pruneAndDefault(value: JsonObject, schema: SchemaNode): string[] {
  const pruned: string[] = [];
  walkObject(value, schema, '', pruned, true);
  return pruned;
}

function walkValue(value: unknown, schema: SchemaNode, path: string, pruned: string[]): void {
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items !== undefined)
      value.forEach((v, i) => {
        walkValue(v, items, `${path}[${i}]`, pruned);
      });
    return;
  }
  if (isRecord(value)) walkObject(value, schema, path, pruned, false);
}

function walkObject(
  obj: JsonObject,
  schema: SchemaNode,
  path: string,
  pruned: string[],
  root: boolean,
): void {
  const props = schema.properties;
  const additional = isRecord(schema.additionalProperties) ? schema.additionalProperties : undefined;
  const keepUnknown = preserves(schema) || schema.additionalProperties === true;
  for (const key of Object.keys(obj)) {
    if (root && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const child = props?.[key] ?? additional;
    const v = obj[key];
    if (child === undefined) {
      if (!keepUnknown && !schema['x-kubernetes-embedded-resource']) {
        pruned.push(childPath(path, key));
        Reflect.deleteProperty(obj, key);
      }
      continue;
    }
    if (v === null && child.nullable !== true) {
      Reflect.deleteProperty(obj, key);
      continue;
    }
    walkValue(v, child, childPath(path, key), pruned);
  }
  applyDefaults(obj, props, path, pruned);
}

function applyDefaults(
  obj: JsonObject,
  props: Record<string, SchemaNode> | undefined,
  path: string,
  pruned: string[],
): void {
  if (props === undefined) return;
  for (const [key, child] of Object.entries(props)) {
    if (obj[key] !== undefined || child.default === undefined) continue;
    const value = clone(child.default);
    obj[key] = value;
    // Defaults of nested fields apply inside a defaulted object too, as in the real API.
    walkValue(value, child, childPath(path, key), pruned);
  }
}

/** Finds the schema node for a property path (array indices skipped). */
export function schemaAt(schema: SchemaNode, path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const segment of path) {
    if (node === undefined) return undefined;
    if (node.type === 'array' || node.items !== undefined) node = node.items;
    if (node === undefined) return undefined;
    const additional: SchemaNode | undefined = isRecord(node.additionalProperties)
      ? node.additionalProperties
      : undefined;
    node = node.properties?.[segment] ?? additional;
  }
  return node;
}
