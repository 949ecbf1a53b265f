import type { Command } from 'commander';
import { buildCrds, type CustomResourceDefinition } from '../api/index.ts';
import type { CliContext } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { usageExitCode } from './program.ts';

/** A node of a CRD's openAPIV3Schema, as `kubectl explain` reads it. */
export interface SchemaNode {
  readonly type?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly [key: string]: unknown;
}

interface CrdNames {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
}

/** The parts of one CRD that explain needs. */
export interface ExplainedKind {
  readonly group: string;
  readonly version: string;
  readonly names: CrdNames;
  readonly schema: SchemaNode;
}

/** What `serin explain` answers: the text, or why there is none. */
export type ExplainResult =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'unknownKind'; readonly message: string }
  | { readonly kind: 'unknownField'; readonly message: string };

/** The kinds explain knows, read from the CRDs that `npm run gen:crds` writes. */
export function explainedKinds(crds: readonly CustomResourceDefinition[] = buildCrds()): ExplainedKind[] {
  return crds.map((crd) => {
    const spec = crd.spec as {
      group: string;
      names: CrdNames;
      versions: { name: string; schema: { openAPIV3Schema: SchemaNode } }[];
    };
    // buildCrds gives each kind exactly one version.
    const [version] = spec.versions;
    if (version === undefined) throw new Error(`the ${spec.names.kind} CRD has no version`);
    return {
      group: spec.group,
      version: version.name,
      names: spec.names,
      schema: version.schema.openAPIV3Schema,
    };
  });
}

const LINE_WIDTH = 76;
const INDENT = '    ';

/** Greedy word wrap as kubectl's templates do it (go-wordwrap): a word longer than the line stays whole. */
export function wrap(text: string, width = LINE_WIDTH): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    lines.push(line);
  }
  return lines;
}

const indented = (text: string): string =>
  wrap(text)
    .map((line) => `${INDENT}${line}\n`)
    .join('');

/** The type kubectl shows in angle brackets: string, integer, Object, []Object, map[string]string. */
export function typeName(node: SchemaNode): string {
  if (node.items !== undefined) return `[]${typeName(node.items)}`;
  if (typeof node.additionalProperties === 'object')
    return `map[string]${typeName(node.additionalProperties)}`;
  if (node.type === undefined || node.type === 'object') return 'Object';
  return node.type;
}

/** The node whose fields are listed: an array's items, a map's values, else the node itself. */
function fieldHolder(node: SchemaNode): SchemaNode {
  if (node.items !== undefined) return fieldHolder(node.items);
  if (typeof node.additionalProperties === 'object') return fieldHolder(node.additionalProperties);
  return node;
}

/** kubectl lists at most four values of an enum in a field list, then `....`. */
function enumSummary(values: readonly unknown[]): string {
  const shown = values.slice(0, 4).map(String);
  return values.length > 4 ? `${shown.join(', ')}, ....` : shown.join(', ');
}

function fieldList(node: SchemaNode): string {
  const holder = fieldHolder(node);
  if (Object.keys(holder.properties ?? {}).length === 0) return '';
  const required = new Set(holder.required ?? []);
  const entries = Object.entries(holder.properties ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, field]) => {
      const flag = required.has(name) ? ' -required-' : '';
      const values = field.enum === undefined ? '' : `  enum: ${enumSummary(field.enum)}\n`;
      return `  ${name}\t<${typeName(field)}>${flag}\n${values}${indented(field.description ?? '')}\n`;
    });
  return `FIELDS:\n${entries.join('')}`;
}

/** A field's own description, then (for a list) its items' description, as kubectl prints them. */
function descriptions(node: SchemaNode): string {
  const texts = [node.description, node.items?.description].filter(
    (text): text is string => text !== undefined && text !== '',
  );
  return texts.map(indented).join('');
}

/** The text `kubectl explain` prints for a kind and a field path within it. */
export function renderExplain(kind: ExplainedKind, path: readonly string[], node: SchemaNode): string {
  const header = `GROUP:      ${kind.group}\nKIND:       ${kind.names.kind}\nVERSION:    ${kind.version}\n\n`;
  let field = '';
  if (path.length > 0) {
    const values = node.enum?.map((value) => `${INDENT}${String(value)}\n`).join('');
    field = `FIELD: ${path.at(-1) ?? ''} <${typeName(node)}>\n${values === undefined ? '\n' : `ENUM:\n${values}`}\n`;
  }
  return `${header}${field}DESCRIPTION:\n${descriptions(node)}${INDENT}\n${fieldList(node)}\n`;
}

function findKind(kinds: readonly ExplainedKind[], name: string): ExplainedKind | undefined {
  const wanted = name.toLowerCase();
  return kinds.find(({ names }) =>
    [names.kind.toLowerCase(), names.plural, names.singular, ...names.shortNames].includes(wanted),
  );
}

/** Explains `KIND[.field.path]`, e.g. `canary.spec.steps.analysis`, from the generated CRDs. */
export function explain(query: string, kinds: readonly ExplainedKind[] = explainedKinds()): ExplainResult {
  const [kindName = '', ...path] = query.split('.');
  const kind = findKind(kinds, kindName);
  if (kind === undefined) {
    const known = kinds.map(
      ({ names }) => `${names.kind} (${[names.plural, ...names.shortNames].join(', ')})`,
    );
    return {
      kind: 'unknownKind',
      message: `unknown kind "${kindName}"; serin's kinds are ${known.join(', ')}`,
    };
  }
  let node = kind.schema;
  for (const [index, name] of path.entries()) {
    const holder = fieldHolder(node);
    const next = holder.properties?.[name];
    if (next === undefined) {
      const at = [kind.names.kind, ...path.slice(0, index)].join('.');
      const fields = Object.keys(holder.properties ?? {}).sort();
      const known = fields.length === 0 ? 'it has no fields' : `its fields are ${fields.join(', ')}`;
      return { kind: 'unknownField', message: `field "${name}" does not exist in ${at}: ${known}` };
    }
    node = next;
  }
  return { kind: 'text', text: renderExplain(kind, path, node) };
}

const EXPLAIN_DESCRIPTION =
  'Document a serin kind or one of its fields, offline: the text kubectl explain prints with the CRDs ' +
  'installed, e.g. serin explain canary.spec.steps.analysis.';

/** Adds `serin explain KIND[.field.path]`. */
export function registerExplain(program: Command, ctx: CliContext): void {
  const command = program.command('explain');
  usageExitCode(command, EXIT.usage);
  command
    .description(EXPLAIN_DESCRIPTION)
    .argument('<kind.field.path>', 'a kind (Canary, canaries, scn, AnalysisTemplate, ...) and a field path')
    .addHelpText(
      'after',
      '\nExamples:\n  serin explain canary\n  serin explain canary.spec.steps.analysis\n' +
        '  serin explain analysistemplate.spec.metrics.provider.judge\n' +
        '\nExit codes: 0 explained, 1 unknown kind or field, 2 usage.',
    )
    .action((query: string) => {
      const result = explain(query);
      if (result.kind === 'text') {
        ctx.out(result.text);
        return;
      }
      ctx.err(`serin explain: ${result.message}\n`);
      ctx.exit(EXIT.problems);
    });
}
