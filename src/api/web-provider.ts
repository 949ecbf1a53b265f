import { z } from 'zod';
import { Duration, SecretKeyRef, durationToMs } from './common.ts';

/**
 * The `web` metric provider (as Argo Rollouts' `web`): one HTTP request per measurement, whose JSON
 * answer gives the measurement's `result` at `jsonPath`. See docs/analysis.md, "The web provider".
 *
 * The JSONPath grammar lives here because it is part of what a valid template is: the schema refuses
 * a path outside the subset, so `serin lint`, the controller's template validation and the CRD's
 * `pattern` all say the same.
 */

/** One step of a parsed JSONPath: a member, an array element, or every element of an array. */
export type JsonPathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

export type JsonPathParse =
  | { readonly ok: true; readonly segments: readonly JsonPathSegment[] }
  | { readonly ok: false; readonly error: string };

/** Longest accepted jsonPath, in characters. */
export const MAX_JSON_PATH_LENGTH = 512;

// The segments of the subset, as regular expressions (RE2-compatible: they also form the CRD's
// pattern). Quoted keys take any character but their quote and a backslash (no escapes).
const SEGMENTS = {
  dot: String.raw`\.[A-Za-z_][A-Za-z0-9_-]*`,
  index: String.raw`\[(?:0|[1-9][0-9]{0,8})\]`,
  wildcard: String.raw`\[\*\]`,
  single: String.raw`\['[^'\\]*'\]`,
  double: String.raw`\["[^"\\]*"\]`,
} as const;
const SEGMENT = `(?:${Object.values(SEGMENTS).join('|')})`;

/**
 * The supported JSONPath subset as one pattern: `$` then any of `.name`, `[0]`, `['key']`,
 * `["key"]`, `[*]`; optionally wrapped in `{...}` as Argo Rollouts writes it (`{$.data.ok}`).
 */
export const JSON_PATH_PATTERN = `^(?:\\$${SEGMENT}*|\\{\\$${SEGMENT}*\\})$`;

const STICKY = Object.fromEntries(
  Object.entries(SEGMENTS).map(([name, source]) => [name, new RegExp(source, 'y')]),
) as Record<keyof typeof SEGMENTS, RegExp>;

/** Why a segment is refused, for the features people most often try. */
function unsupported(rest: string): string {
  if (rest.startsWith('..')) return 'recursive descent (..) is not supported';
  if (rest.startsWith('.*')) return 'use [*] for every element of an array';
  if (rest.startsWith('[?')) return 'filter expressions ([?(...)]) are not supported';
  if (/^\[-/.test(rest)) return 'negative indexes are not supported';
  if (/^\[[^\]]*:/.test(rest)) return 'slices ([a:b]) are not supported';
  if (/^\[[^\]]*,/.test(rest)) return 'unions ([a,b]) are not supported';
  if (rest.startsWith("['") || rest.startsWith('["'))
    return 'a quoted key must be closed by its quote and ], without a backslash';
  return "expected .name, [0], ['key'] or [*]";
}

function segmentAt(body: string, at: number): { segment: JsonPathSegment; end: number } | undefined {
  for (const [name, regex] of Object.entries(STICKY) as [keyof typeof SEGMENTS, RegExp][]) {
    regex.lastIndex = at;
    const match = regex.exec(body);
    if (match === null) continue;
    const text = match[0];
    const end = at + text.length;
    switch (name) {
      case 'dot':
        return { segment: { kind: 'key', key: text.slice(1) }, end };
      case 'index':
        return { segment: { kind: 'index', index: Number(text.slice(1, -1)) }, end };
      case 'wildcard':
        return { segment: { kind: 'wildcard' }, end };
      case 'single':
      case 'double':
        return { segment: { kind: 'key', key: text.slice(2, -2) }, end };
    }
  }
  return undefined;
}

/**
 * Parses a jsonPath of the supported subset (docs/analysis.md): `$`, then `.name`, `[0]`,
 * `['key']`, `["key"]` or `[*]` (every element of an array; the result is then a list), optionally
 * wrapped in `{...}`. Anything else is an error naming the column and the reason. Never throws.
 */
export function parseJsonPath(text: string): JsonPathParse {
  if (text.length > MAX_JSON_PATH_LENGTH)
    return { ok: false, error: `is ${text.length} characters long; the limit is ${MAX_JSON_PATH_LENGTH}` };
  const braced = text.startsWith('{') && text.endsWith('}') && text.length >= 2;
  const body = braced ? text.slice(1, -1) : text;
  const offset = braced ? 1 : 0;
  if (!body.startsWith('$')) return { ok: false, error: 'must start with $ (the document root)' };
  const segments: JsonPathSegment[] = [];
  let at = 1;
  while (at < body.length) {
    const next = segmentAt(body, at);
    if (next === undefined) {
      return { ok: false, error: `at column ${at + offset + 1}: ${unsupported(body.slice(at))}` };
    }
    segments.push(next.segment);
    at = next.end;
  }
  return { ok: true, segments };
}

/** HTTP header names are tokens (RFC 9110). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A request header; its value is given inline (placeholders allowed) or read from a Secret. */
export const WebHeader = z
  .object({
    name: z
      .string()
      .min(1)
      .max(256)
      .regex(HEADER_NAME, { message: "must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)" })
      .describe('Header name, e.g. Authorization'),
    value: z
      .string()
      .max(4096)
      .optional()
      .describe(
        'Header value; {{args.*}} and {{canary.*}} placeholders are filled in, and a value with a newline is refused. Set value or valueFrom',
      ),
    valueFrom: z
      .object({ secretKeyRef: SecretKeyRef.describe("The Secret key, in the Canary's namespace") })
      .optional()
      .describe(
        'Read the value from a Secret key instead (never stored in the template, redacted from messages)',
      ),
  })
  .superRefine((header, ctx) => {
    if ((header.value === undefined) === (header.valueFrom === undefined))
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'set exactly one of value and valueFrom' });
  })
  .meta({
    'x-kubernetes-validations': [
      { rule: 'has(self.value) != has(self.valueFrom)', message: 'set exactly one of value and valueFrom' },
    ],
  });
export type WebHeader = z.infer<typeof WebHeader>;

/** Longest timeout of a web measurement: a measurement is taken inside a reconcile pass. */
export const MAX_WEB_TIMEOUT = '1m';

const WEB_LIMITS = { headers: 32, url: 2048, body: 65_536 } as const;

/**
 * One HTTP request per measurement; the number at `jsonPath` in its JSON answer is the `result`
 * the metric's conditions judge. A non-2xx status, a timeout, a body that is not JSON or a value
 * that is not a number is an Error; a path that is not there (or null) is no data.
 */
export const WebProvider = z
  .object({
    url: z
      .string()
      .min(1)
      .max(WEB_LIMITS.url)
      .regex(/^https?:\/\/[^\s]+$/, { message: 'must be an absolute http:// or https:// URL without spaces' })
      .describe(
        'The URL to request, http:// or https://. {{args.*}} and {{canary.*}} placeholders are allowed after the scheme; their values are percent-encoded, so they never add a path, query or port. Redirects are not followed',
      ),
    method: z.enum(['GET', 'POST']).default('GET').describe('HTTP method, GET or POST. Default GET'),
    headers: z
      .array(WebHeader)
      .max(WEB_LIMITS.headers)
      .optional()
      .describe(
        'Request headers. Accept: application/json is sent unless set; a POST body is sent as application/json unless Content-Type is set',
      ),
    body: z
      .string()
      .max(WEB_LIMITS.body)
      .optional()
      .describe(
        'POST only: a JSON document. Placeholders must sit inside JSON strings; their values are JSON-string-encoded',
      ),
    timeout: Duration.default('10s').describe(
      'How long to wait for the whole answer, at most 1m. Default 10s; a timeout is an Error measurement',
    ),
    jsonPath: z
      .string()
      .min(1)
      .max(MAX_JSON_PATH_LENGTH)
      .superRefine((path, ctx) => {
        const parsed = parseJsonPath(path);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `unsupported JSONPath: ${parsed.error}` });
      })
      .meta({ pattern: JSON_PATH_PATTERN })
      .describe(
        "Where the value is in the JSON answer: $ then .name, [0], ['key'] or [*] (every element of an array, giving a list), e.g. $.data.errorRate or {$.items[*].latency}. The value must be a number or a numeric string",
      ),
  })
  .superRefine((web, ctx) => {
    if (web.body !== undefined && web.method !== 'POST')
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'a body needs method: POST' });
    const timeout = durationToMs(web.timeout);
    if (timeout <= 0 || timeout > durationToMs(MAX_WEB_TIMEOUT))
      ctx.addIssue({
        code: 'custom',
        path: ['timeout'],
        message: `must be above 0 and at most ${MAX_WEB_TIMEOUT}`,
      });
    const seen = new Set<string>();
    (web.headers ?? []).forEach((header, index) => {
      const name = header.name.toLowerCase();
      if (seen.has(name))
        ctx.addIssue({
          code: 'custom',
          path: ['headers', index, 'name'],
          message: `duplicate header "${header.name}"`,
        });
      seen.add(name);
    });
  })
  .meta({
    'x-kubernetes-validations': [
      { rule: "!has(self.body) || self.method == 'POST'", message: 'a body needs method: POST' },
    ],
  });
export type WebProvider = z.infer<typeof WebProvider>;
