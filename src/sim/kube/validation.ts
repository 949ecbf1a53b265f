/**
 * Validates custom resources against their CRD's openAPIV3Schema with ajv and formats failures
 * the way kube-apiserver does (field path + "Invalid value" / "Required value" / ...).
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { StatusCause } from './status.ts';
import type { SchemaNode } from './structural.ts';
import { clone, isRecord } from './types.ts';

const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// kube-openapi validates these string formats; numeric formats (int32, double, ...) are not checked.
ajv.addFormat('date-time', DATE_TIME);
ajv.addFormat('byte', BASE64);
ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
ajv.addFormat('uuid', /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
for (const loose of [
  'int32',
  'int64',
  'float',
  'double',
  'password',
  'duration',
  'hostname',
  'uri',
  'email',
]) {
  ajv.addFormat(loose, true);
}

/** Rewrites Kubernetes-only keywords into plain JSON Schema that ajv understands. */
export function toAjvSchema(schema: SchemaNode): SchemaNode {
  const out = clone(schema);
  rewrite(out);
  return out;
}

// OpenAPI 3.0 writes exclusive bounds as booleans beside minimum/maximum; JSON Schema 7 as numbers.
function exclusiveBounds(node: SchemaNode): void {
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof node[flag] !== 'boolean') continue;
    if (node[flag] && typeof node[bound] === 'number') {
      node[flag] = node[bound];
      Reflect.deleteProperty(node, bound);
    } else {
      Reflect.deleteProperty(node, flag);
    }
  }
}

function rewrite(node: SchemaNode): void {
  if (node['x-kubernetes-int-or-string'] === true && node.type === undefined) {
    node.type = ['integer', 'string'] as unknown as string;
  }
  // ajv refuses `nullable` without `type`; untyped nodes accept null anyway.
  if (node.nullable !== undefined && node.type === undefined) delete node.nullable;
  exclusiveBounds(node);
  // Defaults are applied by the structural pass; ajv must not apply or check them.
  Reflect.deleteProperty(node, 'default');
  for (const key of ['items', 'additionalProperties', 'not'] as const) {
    const child = node[key];
    if (isRecord(child)) rewrite(child);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[key];
    if (Array.isArray(list)) for (const c of list) if (isRecord(c)) rewrite(c);
  }
  if (isRecord(node.properties)) {
    for (const p of Object.values(node.properties)) rewrite(p);
  }
}

const compiled = new Map<string, ValidateFunction>();

function compile(schema: SchemaNode): ValidateFunction {
  const root: SchemaNode = { ...toAjvSchema(schema) };
  // metadata is validated as ObjectMeta by the simulator itself, not by the CRD schema.
  if (isRecord(root.properties)) root.properties = { ...root.properties, metadata: { type: 'object' } };
  // Istio serves three versions with one schema: compile each distinct schema once.
  const key = JSON.stringify(root);
  let fn = compiled.get(key);
  if (fn === undefined) {
    fn = ajv.compile(root);
    compiled.set(key, fn);
  }
  return fn;
}

/** Compiles a validator (lazily, on first use); returns a function yielding kube-style causes. */
export function compileValidator(schema: SchemaNode): (value: unknown) => StatusCause[] {
  let validate: ValidateFunction | undefined;
  return (value) => {
    validate ??= compile(schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).filter(isReportable).map((e) => toCause(e, value));
  };
}

// Errors inside oneOf/anyOf/not branches only explain why a branch failed; kube reports the combinator.
function isReportable(error: ErrorObject): boolean {
  const inner = error.schemaPath.split('/').slice(0, -1);
  return !inner.some((s) => s === 'oneOf' || s === 'anyOf' || s === 'not' || s === 'allOf');
}

/** `/spec/steps/0/x` → `spec.steps[0].x` (indices only where the data is an array). */
export function fieldPath(pointer: string, data: unknown): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  let cursor: unknown = data;
  for (const segment of segments) {
    if (Array.isArray(cursor)) {
      out += `[${segment}]`;
      cursor = cursor[Number(segment)];
    } else {
      out = out === '' ? segment : `${out}.${segment}`;
      cursor = isRecord(cursor) ? cursor[segment] : undefined;
    }
  }
  return out;
}

function valueAt(pointer: string, data: unknown): unknown {
  let cursor: unknown = data;
  for (const s of pointer.split('/').slice(1)) {
    if (Array.isArray(cursor)) cursor = cursor[Number(s)];
    else cursor = isRecord(cursor) ? cursor[s] : undefined;
  }
  return cursor;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** How kube prints a value in "Invalid value: X": scalars as JSON, composites by their type name. */
export function shownValue(value: unknown): string {
  if (isRecord(value) || Array.isArray(value) || value === null) return JSON.stringify(jsonType(value));
  return JSON.stringify(value);
}

function toCause(error: ErrorObject, data: unknown): StatusCause {
  const field = fieldPath(error.instancePath, data);
  const value = valueAt(error.instancePath, data);
  const inBody = `${field} in body`;
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const missing = String(p.missingProperty);
      return {
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: field === '' ? missing : `${field}.${missing}`,
      };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return {
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${shownValue(value)}: supported values: ${allowed}`,
        field,
      };
    }
    case 'type':
      return {
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: ${JSON.stringify(jsonType(value))}: ${inBody} must be of type ${String(p.type)}: ${JSON.stringify(jsonType(value))}`,
        field,
      };
    case 'maxLength':
      return {
        reason: 'FieldValueTooLong',
        message: `Too long: may not be more than ${String(p.limit)} bytes`,
        field,
      };
    case 'maxItems':
      return {
        reason: 'FieldValueTooMany',
        message: `Too many: ${(value as unknown[]).length}: must have at most ${String(p.limit)} items`,
        field,
      };
    default:
      return {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${shownValue(value)}: ${inBody} ${kubeWording(error)}`,
        field,
      };
  }
}

function kubeWording(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'minimum':
      return `should be greater than or equal to ${String(p.limit)}`;
    case 'maximum':
      return `should be less than or equal to ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `should be greater than ${String(p.limit)}`;
    case 'exclusiveMaximum':
      return `should be less than ${String(p.limit)}`;
    case 'minLength':
      return `should be at least ${String(p.limit)} chars long`;
    case 'minItems':
      return `should have at least ${String(p.limit)} items`;
    case 'pattern':
      return `should match '${String(p.pattern)}'`;
    case 'format':
      return `must be of type ${String(p.format)}`;
    case 'oneOf':
      return 'must validate one and only one schema (oneOf)';
    case 'anyOf':
      return 'must validate at least one schema (anyOf)';
    case 'not':
      return 'must not validate the schema (not)';
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}
