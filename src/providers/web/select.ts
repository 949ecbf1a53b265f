import { parseJsonPath, type JsonPathSegment } from '../../api/index.ts';
import type { QueryOutcome } from '../../ports/index.ts';

/**
 * The measurement's value at a jsonPath in a parsed JSON answer. A member or element that is not
 * there, or null, is no data (the metric's `noData` policy decides); stepping into a number or a
 * string, or a value that is not a number, is an error: a web answer never passes by accident.
 */

type Node = { readonly path: string; readonly value: unknown };

const error = (message: string): QueryOutcome => ({ kind: 'error', errorKind: 'badResponse', message });
const noData = (reason: string): QueryOutcome => ({ kind: 'noData', reason });

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function describeSegment(segment: JsonPathSegment): string {
  switch (segment.kind) {
    case 'key':
      return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment.key) ? `.${segment.key}` : `['${segment.key}']`;
    case 'index':
      return `[${segment.index}]`;
    case 'wildcard':
      return '[*]';
  }
}

/** One step from one node: the nodes it leads to, a missing member (undefined) or a type error. */
function step(node: Node, segment: JsonPathSegment): Node[] | undefined | string {
  const path = node.path + describeSegment(segment);
  const { value } = node;
  switch (segment.kind) {
    case 'key': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return `${node.path} is ${kindOf(value)}, not an object, so ${path} cannot be read`;
      if (!Object.hasOwn(value, segment.key)) return undefined;
      return [{ path, value: (value as Record<string, unknown>)[segment.key] }];
    }
    case 'index':
      if (!Array.isArray(value))
        return `${node.path} is ${kindOf(value)}, not an array, so ${path} cannot be read`;
      return segment.index < value.length ? [{ path, value: value[segment.index] as unknown }] : undefined;
    case 'wildcard':
      if (!Array.isArray(value))
        return `${node.path} is ${kindOf(value)}, not an array, so ${path} cannot be read`;
      return value.map((item: unknown, index) => ({ path: `${node.path}[${index}]`, value: item }));
  }
}

const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY_TEXT = /^([+-]?)(?:Inf|Infinity)$/i;

/** A JSON number, or a string holding one (as Prometheus writes samples); NaN means no value. */
function numberOf(node: Node): { ok: true; value: number } | { ok: false; error: string } {
  const { value } = node;
  if (typeof value === 'number') return { ok: true, value };
  if (typeof value === 'string') {
    const text = value.trim();
    if (NUMBER_TEXT.test(text)) return { ok: true, value: Number(text) };
    const infinity = INFINITY_TEXT.exec(text);
    if (infinity !== null) return { ok: true, value: infinity[1] === '-' ? -Infinity : Infinity };
    if (/^nan$/i.test(text)) return { ok: true, value: NaN };
    return { ok: false, error: `the value at ${node.path} is a string that is not a number` };
  }
  return { ok: false, error: `the value at ${node.path} is ${kindOf(value)}, not a number` };
}

function walk(segments: readonly JsonPathSegment[], document: unknown): Node[] | QueryOutcome {
  let nodes: Node[] = [{ path: '$', value: document }];
  for (const segment of segments) {
    const next: Node[] = [];
    for (const node of nodes) {
      const stepped = step(node, segment);
      if (typeof stepped === 'string') return error(stepped);
      if (stepped === undefined)
        return noData(`${node.path + describeSegment(segment)} is not in the answer`);
      next.push(...stepped);
    }
    nodes = next;
  }
  return nodes;
}

/**
 * The value at `jsonPath` in `document`: a number, or a list of numbers when the path has `[*]`
 * (nulls in the list are skipped, NaN too; a list left empty is no data).
 */
export function selectValue(jsonPath: string, document: unknown): QueryOutcome {
  const parsed = parseJsonPath(jsonPath);
  if (!parsed.ok) return error(`jsonPath ${jsonPath}: ${parsed.error}`);
  const nodes = walk(parsed.segments, document);
  if (!Array.isArray(nodes)) return nodes;
  const list = parsed.segments.some((segment) => segment.kind === 'wildcard');
  const present = nodes.filter((node) => node.value !== null);
  const numbers: number[] = [];
  for (const node of present) {
    const number = numberOf(node);
    if (!number.ok) return error(number.error);
    if (!Number.isNaN(number.value)) numbers.push(number.value);
  }
  if (!list) {
    const [only] = numbers;
    if (only !== undefined) return { kind: 'value', value: only };
    return noData(
      present.length === 0 ? `the value at ${jsonPath} is null` : `the value at ${jsonPath} is NaN`,
    );
  }
  if (numbers.length === 0) return noData(`${jsonPath} selects no number (${nodes.length} element(s))`);
  return { kind: 'value', value: numbers };
}
