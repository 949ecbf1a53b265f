/**
 * Query templating: `{{args.name}}` and the built-in `{{canary.*}}` placeholders.
 *
 * Rendering is strict on purpose. An unknown placeholder is an error (an empty string would turn
 * `{service="{{args.svc}}"}` into a query that silently matches nothing), and a value that could
 * break out of a quoted PromQL label matcher is rejected (PromQL injection).
 */

/** The placeholders serin fills in for every Canary, without a template declaring them. */
export const BUILTIN_ARGS: readonly string[] = Object.freeze([
  'canary.name',
  'canary.namespace',
  'canary.workload',
  'canary.primaryWorkload',
  'canary.service',
  'canary.revision',
]);

/** One `{{ name }}` occurrence; `index` is the offset of its opening braces in the text. */
export interface Placeholder {
  readonly name: string;
  readonly index: number;
}

export type RenderResult = { ok: true; value: string } | { ok: false; error: string };

// Anything between double braces is a placeholder, so `{{ args.x y }}` is reported rather than
// passed through to Prometheus as literal text.
const PLACEHOLDER = /\{\{(.*?)\}\}/gs;
const NAME = /^(args|canary)\.[A-Za-z_][A-Za-z0-9_.-]*$/;
// A double quote or backslash ends or escapes a "..." label value; a newline ends the query line.
const UNSAFE_VALUE = /["\\\n\r]/;

/** Lists every `{{ ... }}` placeholder in `text`, with the name trimmed (e.g. `args.service`). */
export function findPlaceholders(text: string): { name: string; index: number }[] {
  const found: { name: string; index: number }[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    found.push({ name: (match[1] ?? '').trim(), index: match.index });
  }
  return found;
}

/**
 * Replaces every placeholder in `text` with its value. `values` is keyed by the full placeholder
 * name (`args.service`, `canary.name`). Never throws: an unknown or malformed placeholder, or a
 * value containing `"`, `\` or a newline, is an error naming the argument.
 */
export function renderTemplate(text: string, values: Readonly<Record<string, string>>): RenderResult {
  const placeholders = findPlaceholders(text);
  for (const { name } of placeholders) {
    const problem = checkPlaceholder(name, values);
    if (problem !== undefined) return { ok: false, error: problem };
  }
  const value = text.replace(PLACEHOLDER, (_match, inner: string) => values[inner.trim()] ?? '');
  return { ok: true, value };
}

/**
 * Like `renderTemplate`, but each value goes through `encode` for where it lands (a URL, a JSON
 * string), which returns the text to insert or why the value is refused. Never throws.
 */
export function renderTemplateWith(
  text: string,
  values: Readonly<Record<string, string>>,
  encode: (value: string, name: string) => { ok: true; value: string } | { ok: false; error: string },
): RenderResult {
  const encoded = new Map<string, string>();
  for (const { name } of findPlaceholders(text)) {
    const problem = checkName(name, values);
    if (problem !== undefined) return { ok: false, error: problem };
    const out = encode(values[name] ?? '', name);
    if (!out.ok) return out;
    encoded.set(name, out.value);
  }
  return {
    ok: true,
    value: text.replace(PLACEHOLDER, (_match, inner: string) => encoded.get(inner.trim()) ?? ''),
  };
}

function checkName(name: string, values: Readonly<Record<string, string>>): string | undefined {
  if (!NAME.test(name)) {
    return `invalid placeholder "{{${name}}}": expected {{args.<name>}} or one of ${BUILTIN_ARGS.map((a) => `{{${a}}}`).join(', ')}`;
  }
  if (!Object.hasOwn(values, name)) {
    return name.startsWith('canary.')
      ? `unknown placeholder "{{${name}}}": built-in args are ${BUILTIN_ARGS.join(', ')}`
      : `unknown placeholder "{{${name}}}": no value for argument "${name.slice('args.'.length)}"`;
  }
  return undefined;
}

function checkPlaceholder(name: string, values: Readonly<Record<string, string>>): string | undefined {
  const named = checkName(name, values);
  if (named !== undefined) return named;
  const value = values[name] ?? '';
  if (UNSAFE_VALUE.test(value)) {
    return `argument "${name}" contains a double quote, backslash or newline, which could change the query; such values are rejected`;
  }
  return undefined;
}
