import type { z } from 'zod';
import { AnalysisTemplate, ClusterAnalysisTemplate } from './analysis-template.ts';
import { Approval } from './approval.ts';
import { Canary } from './canary.ts';
import { API_VERSION, oneOfGroupFor } from './common.ts';

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
export function toFieldIssues(error: z.ZodError, input?: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const path = formatPath(issue.path);
    if (issue.code === 'invalid_union' || issue.code === 'unrecognized_keys') {
      const group = oneOfGroupFor(valueAt(input, issue.path)) ?? unionChoices(issue);
      if (group) {
        issues.push({ path, message: `must set exactly one of ${group.join(', ')}` });
        continue;
      }
    }
    if (issue.code === 'unrecognized_keys') {
      issues.push({ path, message: `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` });
      continue;
    }
    issues.push({ path, message: issue.message });
  }
  return issues;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/** For a union none of whose branches matched an empty object, the keys the branches expect. */
function unionChoices(issue: z.core.$ZodIssue): string[] | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const keys = issue.errors.map((branch) => branch[0]?.path[0]).filter((key) => typeof key === 'string');
  return keys.length > 1 ? [...new Set(keys)] : undefined;
}

/** Validates a document of a known kind. Never throws. */
export function parseKind<K extends SerinKind>(
  kind: K,
  doc: unknown,
): ParseResult<z.infer<(typeof KINDS)[K]>> {
  const result = KINDS[kind].safeParse(doc);
  if (result.success) return { ok: true, value: result.data as z.infer<(typeof KINDS)[K]> };
  return { ok: false, issues: toFieldIssues(result.error, doc) };
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
