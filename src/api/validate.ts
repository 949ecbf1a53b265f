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
  return fieldIssues(error.issues, [], input);
}

function fieldIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[],
  input: unknown,
): FieldIssue[] {
  return issues.flatMap((issue) => {
    const at = [...prefix, ...issue.path];
    const path = formatPath(at);
    if (issue.code === 'invalid_union') {
      // One key of the union set, but its contents wrong: say what is wrong with them.
      const chosen = chosenBranch(issue, valueAt(input, at));
      if (chosen) return fieldIssues(chosen, at, input);
    }
    if (issue.code === 'invalid_union' || issue.code === 'unrecognized_keys') {
      const group = oneOfGroupFor(valueAt(input, at)) ?? unionChoices(issue);
      if (group) return [{ path, message: `must set exactly one of ${group.join(', ')}` }];
    }
    if (issue.code === 'unrecognized_keys') {
      return [{ path, message: `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` }];
    }
    return [{ path, message: issue.message }];
  });
}

/**
 * For a one-of union whose value sets exactly one of the group's keys, the issues of the branch for
 * that key (all inside it); undefined when the value sets none or several of them.
 */
function chosenBranch(issue: z.core.$ZodIssue, value: unknown): readonly z.core.$ZodIssue[] | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const group = oneOfGroupFor(value);
  if (group === undefined || typeof value !== 'object' || value === null) return undefined;
  const set = Object.keys(value).filter((key) => group.includes(key));
  const [key] = set;
  if (set.length !== 1 || key === undefined) return undefined;
  return issue.errors.find((branch) => branch.length > 0 && branch.every((inner) => inner.path[0] === key));
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
