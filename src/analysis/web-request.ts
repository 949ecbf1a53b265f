import type { SecretKeyRef, WebProvider } from '../api/index.ts';
import { durationToMs } from '../api/index.ts';
import type { QueryOutcome } from '../ports/index.ts';
import { findPlaceholders, renderTemplateWith } from './templating.ts';

/**
 * Rendering a `web` metric's request: `{{args.*}}` and `{{canary.*}}` filled in where each lands,
 * with the same rule as PromQL placeholders (an argument never changes the request's structure):
 *
 * - URL: each value is percent-encoded (encodeURIComponent), so it cannot add a `/`, `?`, `#`, `@`,
 *   `:` or a `%` escape of its own; a value that is `.` or `..` (a path step up) is refused, and the
 *   rendered URL must keep the scheme, port, path depth and query keys the template gives it.
 * - Body: placeholders must sit inside JSON strings; each value is JSON-string-encoded, and the
 *   rendered body must be JSON.
 * - Header values: a value with a newline or a NUL (header injection) is refused.
 */

/** A request header after rendering: a value, or the Secret key that holds it. */
export type WebRequestHeader =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly secretKeyRef: SecretKeyRef };

/** One rendered web request. */
export interface WebRequest {
  readonly url: string;
  readonly method: WebProvider['method'];
  readonly headers: readonly WebRequestHeader[];
  readonly body?: string;
  readonly timeoutMs: number;
  readonly jsonPath: string;
  /** Namespace whose Secrets the headers may read. */
  readonly namespace?: string;
}

/**
 * Sends one web request and reads the number at its jsonPath. Implementations never throw: a
 * non-2xx answer, a timeout, a body that is not JSON or a value that is not a number is a
 * `QueryError`; a path that is not in the answer (or null) is `noData`.
 */
export type WebRunner = (request: WebRequest) => Promise<QueryOutcome>;

type Rendered<T> = { ok: true; value: T } | { ok: false; field: string; error: string };
type Values = Readonly<Record<string, string>>;

const DOT_SEGMENT = /^\.{1,2}$/;
/** What an HTTP header value may hold (RFC 9110 field-value: tab, visible ASCII, space, obs-text). */
export const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function encodeForUrl(value: string, name: string) {
  if (DOT_SEGMENT.test(value)) {
    return {
      ok: false as const,
      error: `argument "${name}" is "${value}", a path step that would change the URL's path; such values are rejected`,
    };
  }
  return { ok: true as const, value: encodeURIComponent(value) };
}

function encodeForJsonString(value: string) {
  return { ok: true as const, value: JSON.stringify(value).slice(1, -1) };
}

function encodeForHeader(value: string, name: string) {
  if (/[\r\n\0]/.test(value)) {
    return {
      ok: false as const,
      error: `argument "${name}" contains a newline or NUL, which could add a header; such values are rejected`,
    };
  }
  if (!HEADER_VALUE.test(value)) {
    return {
      ok: false as const,
      error: `argument "${name}" holds a character an HTTP header cannot carry (a control character or one beyond Latin-1)`,
    };
  }
  return { ok: true as const, value };
}

interface UrlShape {
  readonly protocol: string;
  readonly port: string;
  readonly depth: number;
  readonly queryKeys: string;
  readonly credentials: boolean;
}

function shapeOf(text: string): UrlShape | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return {
    protocol: url.protocol,
    port: url.port,
    depth: url.pathname.split('/').length,
    queryKeys: [...url.searchParams.keys()].join('&'),
    credentials: url.username !== '' || url.password !== '',
  };
}

// Every placeholder as a plain letter: the template's own structure, for comparison.
function neutral(text: string): string {
  return text.replace(/\{\{.*?\}\}/gs, 'x');
}

/** Checks the template's URL alone (no values): http(s), no placeholder in the scheme, no credentials. */
function urlTemplateProblem(template: string): string | undefined {
  const scheme = /^https?:\/\//.exec(template);
  if (scheme === null) return 'must start with http:// or https://';
  const shape = shapeOf(neutral(template));
  if (shape === undefined) return 'is not a valid URL (with each placeholder read as "x")';
  if (shape.credentials)
    return 'must not hold credentials (user:password@): send them in a header read from a Secret';
  return undefined;
}

function renderUrl(template: string, values: Values): Rendered<string> {
  const problem = urlTemplateProblem(template);
  if (problem !== undefined) return { ok: false, field: 'url', error: problem };
  const rendered = renderTemplateWith(template, values, encodeForUrl);
  if (!rendered.ok) return { ok: false, field: 'url', error: rendered.error };
  const shape = shapeOf(rendered.value);
  if (shape === undefined)
    return { ok: false, field: 'url', error: 'is not a valid URL once its placeholders are filled in' };
  const expected = shapeOf(neutral(template));
  const same =
    expected !== undefined &&
    shape.protocol === expected.protocol &&
    shape.port === expected.port &&
    shape.depth === expected.depth &&
    shape.queryKeys === expected.queryKeys &&
    !shape.credentials;
  if (!same) {
    return {
      ok: false,
      field: 'url',
      error:
        "an argument changed the URL's structure (scheme, port, path or query keys); such values are rejected",
    };
  }
  return { ok: true, value: rendered.value };
}

/** The offsets of `text` that lie inside a JSON string literal (between its quotes). */
function insideJsonString(text: string): (offset: number) => boolean {
  const inside = new Uint8Array(text.length);
  let open = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (open) {
      inside[i] = char === '"' ? 0 : 1;
      if (char === '\\') {
        inside[i + 1] = 1;
        i++;
      } else if (char === '"') open = false;
    } else if (char === '"') open = true;
  }
  return (offset) => inside[offset] === 1;
}

function bodyTemplateProblem(template: string): string | undefined {
  const inside = insideJsonString(template);
  const outside = findPlaceholders(template).find((placeholder) => !inside(placeholder.index));
  if (outside !== undefined) {
    return `placeholder {{${outside.name}}} must sit inside a JSON string ("..."), where its value is JSON-encoded`;
  }
  try {
    JSON.parse(neutral(template));
  } catch (err) {
    return `is not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
  return undefined;
}

function renderBody(template: string | undefined, values: Values): Rendered<string | undefined> {
  if (template === undefined) return { ok: true, value: undefined };
  const problem = bodyTemplateProblem(template);
  if (problem !== undefined) return { ok: false, field: 'body', error: problem };
  const rendered = renderTemplateWith(template, values, encodeForJsonString);
  if (!rendered.ok) return { ok: false, field: 'body', error: rendered.error };
  return { ok: true, value: rendered.value };
}

function renderHeaders(web: WebProvider, values: Values): Rendered<WebRequestHeader[]> {
  const headers: WebRequestHeader[] = [];
  for (const [index, header] of (web.headers ?? []).entries()) {
    if (header.valueFrom !== undefined) {
      headers.push({ name: header.name, secretKeyRef: header.valueFrom.secretKeyRef });
      continue;
    }
    const rendered = renderTemplateWith(header.value ?? '', values, encodeForHeader);
    if (!rendered.ok) return { ok: false, field: `headers[${index}].value`, error: rendered.error };
    if (!HEADER_VALUE.test(rendered.value)) {
      const error =
        'must hold only characters an HTTP header can carry (no newline, control character or one beyond Latin-1)';
      return { ok: false, field: `headers[${index}].value`, error };
    }
    headers.push({ name: header.name, value: rendered.value });
  }
  return { ok: true, value: headers };
}

/**
 * Renders a web metric's request with the argument values. Never throws: a refused or unknown
 * placeholder is an error naming the field (`url`, `body`, `headers[0].value`) and the argument.
 */
export function renderWebRequest(
  web: WebProvider,
  values: Values,
): { ok: true; request: WebRequest } | { ok: false; field: string; error: string } {
  const url = renderUrl(web.url, values);
  if (!url.ok) return url;
  const body = renderBody(web.body, values);
  if (!body.ok) return body;
  const headers = renderHeaders(web, values);
  if (!headers.ok) return headers;
  return {
    ok: true,
    request: {
      url: url.value,
      method: web.method,
      headers: headers.value,
      ...(body.value === undefined ? {} : { body: body.value }),
      timeoutMs: durationToMs(web.timeout),
      jsonPath: web.jsonPath,
    },
  };
}

/**
 * What `serin lint` says about a web metric beyond the schema: the URL and body templates' form,
 * with each placeholder read as a neutral value. `[field under provider.web, message]`.
 */
export function webTemplateProblems(web: WebProvider): [string, string][] {
  const problems: [string, string][] = [];
  const url = urlTemplateProblem(web.url);
  if (url !== undefined) problems.push(['url', url]);
  if (web.body !== undefined) {
    const body = bodyTemplateProblem(web.body);
    if (body !== undefined) problems.push(['body', body]);
  }
  return problems;
}

/** Every templated text of a web metric, with its field under `provider.web`, for placeholder checks. */
export function webTemplateTexts(web: WebProvider): [string, string][] {
  const texts: [string, string][] = [['url', web.url]];
  if (web.body !== undefined) texts.push(['body', web.body]);
  (web.headers ?? []).forEach((header, index) => {
    if (header.value !== undefined) texts.push([`headers[${index}].value`, header.value]);
  });
  return texts;
}
