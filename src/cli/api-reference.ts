import { explainedKinds, typeName, type ExplainedKind, type SchemaNode } from './explain.ts';

interface Rule {
  readonly rule: string;
  readonly message?: string;
}

/** A table cell: one line, with the characters Markdown tables reserve escaped. */
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (text: string): string => `\`${text}\``;
/** Prose in a cell: `<name>-primary` must not read as an HTML tag. */
const prose = (text: string): string =>
  cell(text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'));

function fieldType(node: SchemaNode): string {
  if (node['x-kubernetes-int-or-string'] === true) return 'integer or string';
  if (node['x-kubernetes-preserve-unknown-fields'] === true) return 'object (any fields, kept as-is)';
  return typeName(node).replace('Object', 'object');
}

/** A bound or a default as JSON writes it (bounds are numbers; a missing one is undefined). */
const json = (value: unknown): string => JSON.stringify(value);

function range(low: unknown, high: unknown, unit: string): string | undefined {
  if (low !== undefined && high !== undefined) return `${json(low)} to ${json(high)}${unit}`;
  if (low !== undefined) return `at least ${json(low)}${unit}`;
  if (high !== undefined) return `at most ${json(high)}${unit}`;
  return undefined;
}

/** zod bounds every integer to the safe range; that is JavaScript's limit, not a rule worth writing. */
const realBound = (bound: unknown): unknown =>
  typeof bound === 'number' && Math.abs(bound) === Number.MAX_SAFE_INTEGER ? undefined : bound;

function numberBounds(schema: SchemaNode): string[] {
  const node: SchemaNode = {
    ...schema,
    minimum: realBound(schema.minimum),
    maximum: realBound(schema.maximum),
  };
  const exclusiveLow = node.exclusiveMinimum === true;
  const exclusiveHigh = node.exclusiveMaximum === true;
  if (!exclusiveLow && !exclusiveHigh) {
    const bounds = range(node.minimum, node.maximum, '');
    return bounds === undefined ? [] : [bounds];
  }
  const words: string[] = [];
  if (node.minimum !== undefined) words.push(`${exclusiveLow ? 'above' : 'at least'} ${json(node.minimum)}`);
  if (node.maximum !== undefined) words.push(`${exclusiveHigh ? 'below' : 'at most'} ${json(node.maximum)}`);
  return [words.join(', ')];
}

/** The validation rules of one field, in words: bounds, patterns, enums, list rules and CEL rules. */
export function rulesInWords(node: SchemaNode, required: boolean): string[] {
  const words: string[] = [];
  if (required) words.push('required');
  if (node.enum !== undefined)
    words.push(`one of ${node.enum.map((value) => code(String(value))).join(', ')}`);
  words.push(...numberBounds(node));
  const length =
    node.minLength === 1 && node.maxLength === undefined
      ? 'not empty'
      : range(node.minLength, node.maxLength, ' characters');
  if (length !== undefined) words.push(length);
  if (typeof node.pattern === 'string') words.push(`matches ${code(node.pattern)}`);
  const items = range(node.minItems, node.maxItems, ' items');
  if (items !== undefined) words.push(items);
  const keys = node['x-kubernetes-list-map-keys'];
  if (node['x-kubernetes-list-type'] === 'map' && Array.isArray(keys)) {
    words.push(`items unique by ${keys.map(String).join(', ')}`);
  }
  const rules = (node['x-kubernetes-validations'] ?? []) as Rule[];
  for (const rule of rules) words.push(`${rule.message ?? 'rule'} (CEL: ${code(rule.rule)})`);
  return words;
}

interface Row {
  readonly path: string;
  readonly node: SchemaNode;
  readonly required: boolean;
}

function rows(node: SchemaNode, path: string): Row[] {
  const holder = node.items ?? node;
  const prefix = node.items === undefined ? path : `${path}[]`;
  const required = new Set(holder.required ?? []);
  const out: Row[] = [];
  if (node.items !== undefined && rulesInWords(node.items, false).length > 0) {
    out.push({
      path: prefix,
      node: { ...node.items, description: node.items.description ?? 'Each item.' },
      required: false,
    });
  }
  for (const [name, sub] of Object.entries(holder.properties ?? {})) {
    const subPath = prefix === '' ? name : `${prefix}.${name}`;
    out.push({ path: subPath, node: sub, required: required.has(name) }, ...rows(sub, subPath));
  }
  return out;
}

function defaultText(node: SchemaNode): string {
  return node.default === undefined ? '' : code(JSON.stringify(node.default));
}

function kindSection(kind: ExplainedKind): string {
  const { names } = kind;
  const lines = [
    `## ${names.kind}`,
    '',
    kind.schema.description ?? '',
    '',
    `\`apiVersion: ${kind.group}/${kind.version}\`, \`kind: ${names.kind}\`; ` +
      `names: ${[names.plural, names.singular, ...names.shortNames].map(code).join(', ')}. ` +
      `Offline: ${code(`serin explain ${names.singular}.spec`)}; with the CRDs installed: ` +
      `${code(`kubectl explain ${names.singular}.spec`)}.`,
    '',
    '| Field | Type | Default | Description | Validation |',
    '|---|---|---|---|---|',
  ];
  for (const row of rows(kind.schema, '')) {
    const { node } = row;
    if (['apiVersion', 'kind', 'metadata'].includes(row.path)) continue;
    const validation = rulesInWords(node, row.required).join('; ');
    lines.push(
      `| ${cell(code(row.path))} | ${cell(fieldType(node))} | ${cell(defaultText(node))} | ` +
        `${prose(node.description ?? '')} | ${cell(validation)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** docs/api.md: every kind and field with its type, default, description and validation rules. */
export function renderApiReference(kinds: readonly ExplainedKind[] = explainedKinds()): string {
  const header = [
    '<!-- Generated by `npm run gen:crds` from src/api. Do not edit by hand; CI fails when it is stale. -->',
    '',
    '# API reference',
    '',
    'Every field of every serin kind, from the same zod schemas (`src/api`) as the CRDs in `crds/` and the',
    'editor schemas in `schemas/`. `[]` marks the items of a list. Validation is what the API server',
    'enforces from the CRD: bounds, patterns, enums, list rules and CEL rules (each with the message it',
    'prints). `serin lint` checks more than the API server can: PromQL and CEL syntax, placeholders,',
    'template references.',
    '',
    ...kinds.map(({ names }) => `- [${names.kind}](#${names.kind.toLowerCase()})`),
    '',
  ];
  return `${header.join('\n')}\n${kinds.map(kindSection).join('\n')}`;
}
