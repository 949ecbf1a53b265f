import type { z } from 'zod';
import { AnalysisTemplate, ClusterAnalysisTemplate } from './analysis-template.ts';
import { Approval } from './approval.ts';
import { Canary } from './canary.ts';
import { API_VERSION } from './common.ts';

/** One reason a document is invalid, with the path of the field it concerns. */
export interface FieldIssue {
  /** Dotted path such as `spec.steps[2].setWeight`; empty for the document itself. */
  readonly path: string;
  readonly message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

/** The kinds serin defines, each with its schema. */
export const KINDS = {
  Canary,
  AnalysisTemplate,
  ClusterAnalysisTemplate,
  Approval,
} as const;
export type SerinKind = keyof typeof KINDS;
export type SerinObject = z.infer<(typeof KINDS)[SerinKind]>;

/** Formats a zod path as people write field paths: `spec.steps[2].setWeight`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** Turns zod issues into field issues with readable messages, one per leaf problem. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'invalid_union') {
      issues.push({ path: formatPath(issue.path), message: describeUnion(issue) });
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      issues.push({
        path: formatPath(issue.path),
        message: `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
      });
      continue;
    }
    issues.push({ path: formatPath(issue.path), message: issue.message });
  }
  return issues;
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion): string {
  // A union of strict objects is how the API spells "exactly one of": name the choices.
  const keys = issue.errors
    .map((branch) => branch.find((sub) => sub.code === 'unrecognized_keys' || sub.code === 'invalid_type'))
    .filter((sub) => sub !== undefined);
  const choices = issue.errors
    .map((branch) => branch[0]?.path[0])
    .filter((key): key is string => typeof key === 'string');
  if (choices.length > 1 && keys.length > 0) {
    return `must set exactly one of ${[...new Set(choices)].join(', ')}`;
  }
  const inner = issue.errors.flat()[0];
  return inner ? `${formatPath(inner.path)}: ${inner.message}`.replace(/^: /, '') : issue.message;
}

/** Validates a document of a known kind. Never throws. */
export function parseKind<K extends SerinKind>(
  kind: K,
  doc: unknown,
): ParseResult<z.infer<(typeof KINDS)[K]>> {
  const result = KINDS[kind].safeParse(doc);
  if (result.success) return { ok: true, value: result.data as z.infer<(typeof KINDS)[K]> };
  return { ok: false, issues: toFieldIssues(result.error) };
}

/** Validates any serin document, choosing the schema by `kind`. Never throws. */
export function parseSerinObject(doc: unknown): ParseResult<SerinObject> & { kind?: SerinKind } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return {
      ok: false,
      issues: [{ path: '', message: 'must be a mapping with apiVersion, kind, metadata and spec' }],
    };
  }
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  if (apiVersion !== API_VERSION) {
    return {
      ok: false,
      issues: [
        { path: 'apiVersion', message: `must be "${API_VERSION}" (got ${JSON.stringify(apiVersion)})` },
      ],
    };
  }
  if (typeof kind !== 'string' || !(kind in KINDS)) {
    return {
      ok: false,
      issues: [
        {
          path: 'kind',
          message: `must be one of ${Object.keys(KINDS).join(', ')} (got ${JSON.stringify(kind)})`,
        },
      ],
    };
  }
  const serinKind = kind as SerinKind;
  return { ...parseKind(serinKind, doc), kind: serinKind };
}
