/**
 * Evaluates a CRD's `x-kubernetes-validations` CEL rules with @marcbachmann/cel-js.
 * Rules the library cannot parse, and evaluations that error (e.g. a Kubernetes CEL extension
 * function it lacks), are not enforced; `unenforcedRules()` lists the ones that failed to parse.
 */
import { Environment } from '@marcbachmann/cel-js';
import type { ParseResult } from '@marcbachmann/cel-js';
import type { StatusCause } from './status.ts';
import type { SchemaNode } from './structural.ts';
import { shownValue } from './validation.ts';
import { isRecord } from './types.ts';

const env = new Environment({
  unlistedVariablesAreDyn: true,
  limits: { maxAstNodes: 2000, maxDepth: 50, maxListElements: 500, maxMapEntries: 500, maxCallArguments: 16 },
});

interface CompiledRule {
  rule: string;
  message: string;
  reason: string;
  fieldPath: string | undefined;
  transition: boolean;
  run: ParseResult;
}

const unenforced = new Set<string>();

/** Rules seen in loaded CRDs that cel-js could not parse (not enforced). */
export function unenforcedRules(): string[] {
  return [...unenforced];
}

const compiledCache = new WeakMap<SchemaNode, CompiledRule[]>();

function compiled(schema: SchemaNode): CompiledRule[] {
  const cached = compiledCache.get(schema);
  if (cached !== undefined) return cached;
  const out: CompiledRule[] = [];
  for (const r of schema['x-kubernetes-validations'] ?? []) {
    try {
      out.push({
        rule: r.rule,
        message: r.message ?? `failed rule: ${r.rule}`,
        reason: r.reason ?? 'FieldValueInvalid',
        fieldPath: r.fieldPath,
        transition: /\boldSelf\b/.test(r.rule),
        run: env.parse(r.rule),
      });
    } catch {
      unenforced.add(r.rule);
    }
  }
  compiledCache.set(schema, out);
  return out;
}

/** Converts JSON to CEL values: schema integers become bigint (CEL `int`). */
function toCel(value: unknown, schema: SchemaNode | undefined): unknown {
  if (schema === undefined) return value;
  if (typeof value === 'number' && schema.type === 'integer' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema.items));
  if (isRecord(value)) {
    const additional = isRecord(schema.additionalProperties) ? schema.additionalProperties : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCel(v, schema.properties?.[k] ?? additional);
    return out;
  }
  return value;
}

/** Evaluates every rule in the schema tree against `value` (and `old` for transition rules). */
export function evaluateRules(schema: SchemaNode, value: unknown, old: unknown): StatusCause[] {
  const causes: StatusCause[] = [];
  walk(schema, value, old, '', causes);
  return causes;
}

function walk(schema: SchemaNode, value: unknown, old: unknown, path: string, causes: StatusCause[]): void {
  if (value === undefined || value === null) return;
  for (const rule of compiled(schema)) {
    if (rule.transition && old === undefined) continue;
    let ok: unknown;
    try {
      ok = rule.run({ self: toCel(value, schema), oldSelf: toCel(old, schema) });
    } catch {
      continue;
    }
    if (ok !== true) {
      const field = rule.fieldPath === undefined ? path : `${path}${rule.fieldPath}`.replace(/^\./, '');
      causes.push({
        reason: rule.reason,
        message: `Invalid value: ${shownValue(value)}: ${rule.message}`,
        field,
      });
    }
  }
  walkChildren(schema, value, old, path, causes);
}

function walkChildren(
  schema: SchemaNode,
  value: unknown,
  old: unknown,
  path: string,
  causes: StatusCause[],
): void {
  if (Array.isArray(value)) {
    const items = schema.items;
    // Transition rules inside lists would need list-map correlation; old values are not passed down.
    if (items !== undefined)
      value.forEach((v, i) => {
        walk(items, v, undefined, `${path}[${i}]`, causes);
      });
    return;
  }
  if (!isRecord(value)) return;
  const additional = isRecord(schema.additionalProperties) ? schema.additionalProperties : undefined;
  for (const [key, v] of Object.entries(value)) {
    const child = schema.properties?.[key] ?? additional;
    if (child === undefined) continue;
    const oldChild = isRecord(old) ? old[key] : undefined;
    walk(child, v, oldChild, path === '' ? key : `${path}.${key}`, causes);
  }
}

/** Parses every rule in a schema up front, so `unenforcedRules()` is complete after loading. */
export function precompileRules(schema: SchemaNode): void {
  compiled(schema);
  const children: unknown[] = [schema.items, schema.additionalProperties, schema.not];
  if (isRecord(schema.properties)) children.push(...Object.values(schema.properties));
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) children.push(...(list as unknown[]));
  }
  for (const child of children) if (isRecord(child)) precompileRules(child);
}
