import { checkCondition } from '../analysis/conditions.ts';
import { argoPhase, type ArgoPhase } from './expr-eval.ts';
import { parseExpr, type ExprNode } from './expr-parse.ts';
import { exprToCel } from './expr-to-cel.ts';
import { queryShape } from './query-shape.ts';
import type { ItemLog } from './report.ts';
import { join } from './report.ts';

/** A metric's conditions in serin's terms, or why they cannot be carried over. */
export type ConvertedConditions =
  | {
      readonly ok: true;
      readonly successCondition?: string;
      readonly failureCondition?: string;
      readonly noData: 'Inconclusive' | 'Failed';
    }
  | { readonly ok: false; readonly reason: string };

/** Stand-ins for placeholders, so a templated query parses (valid in a label value and a range). */
export function withStandIns(query: string): string {
  return query.replace(/\{\{.*?\}\}/gs, '1m');
}

/**
 * Argo conditions may use `{{args.x}}`; serin renders placeholders in conditions too, but its lint
 * checks the CEL before rendering, so a numeric default is written in place (and reported).
 */
function inlineArgs(
  text: string,
  defaults: ReadonlyMap<string, string | undefined>,
): { ok: true; text: string; inlined: string[] } | { ok: false; reason: string } {
  const inlined: string[] = [];
  let failure: string | undefined;
  const out = text.replace(/\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g, (_match, name: string) => {
    const value = defaults.get(name);
    if (value === undefined || !/^-?\d+(\.\d+)?$/.test(value.trim())) {
      failure = `uses {{args.${name}}}, which has no numeric default to write in its place`;
      return '0';
    }
    inlined.push(`${name}=${value.trim()}`);
    return value.trim();
  });
  if (failure !== undefined) return { ok: false, reason: failure };
  if (/\{\{/.test(out)) return { ok: false, reason: 'uses a placeholder other than {{args.x}}' };
  return { ok: true, text: out, inlined };
}

const NO_DATA_CASES: Readonly<
  Record<'scalar' | 'vector', readonly { label: string; result: number | number[] }[]>
> = {
  vector: [
    { label: 'an empty result', result: [] },
    { label: 'a NaN result', result: [NaN] },
  ],
  scalar: [{ label: 'a NaN result', result: NaN }],
};

/**
 * serin never runs a condition without data: `noData` decides (Inconclusive or Failed, never
 * Successful). The importer asks what Argo's own conditions give on an empty and a NaN result:
 * all Failed (or all Inconclusive) is kept as is; any Failed or Error becomes Failed (Argo would not
 * have passed it, and an Error streak aborts there too); else Inconclusive. Each difference is
 * reported.
 */
function noDataFor(
  argoShape: 'scalar' | 'vector',
  conditions: { success?: ExprNode; failure?: ExprNode },
  path: string,
  log: ItemLog,
): 'Inconclusive' | 'Failed' {
  const phases = NO_DATA_CASES[argoShape].map(({ label, result }) => ({
    label,
    phase: argoPhase(conditions, result),
  }));
  const all = (phase: ArgoPhase) => phases.every((p) => p.phase === phase);
  const said = phases.map((p) => `${p.label} → ${p.phase}`).join(', ');
  if (all('Failed') || all('Inconclusive')) {
    const phase = all('Failed') ? 'Failed' : 'Inconclusive';
    log.kept(join(path, 'noData'), `no data: Argo's conditions give ${said}; serin: noData ${phase}`);
    return phase;
  }
  const phase = phases.some((p) => p.phase === 'Failed' || p.phase === 'Error') ? 'Failed' : 'Inconclusive';
  log.changed(
    join(path, 'noData'),
    `no data: Argo's conditions give ${said}; serin never evaluates conditions without data and uses noData: ${phase}` +
      (phases.some((p) => p.phase === 'Successful')
        ? ' (serin never passes a measurement without data)'
        : ''),
  );
  return phase;
}

/**
 * Converts `successCondition` and `failureCondition` of an Argo Prometheus metric to CEL, given the
 * metric's query (its shape decides how `result` is read) and the template's arg defaults.
 */
export function convertArgoConditions(
  metric: { successCondition?: unknown; failureCondition?: unknown },
  query: string,
  defaults: ReadonlyMap<string, string | undefined>,
  path: string,
  log: ItemLog,
): ConvertedConditions {
  const shape = queryShape(withStandIns(query));
  const argoShape = shape === 'scalar' ? 'scalar' : 'vector';
  const parsed: { success?: ExprNode; failure?: ExprNode } = {};
  const out: { successCondition?: string; failureCondition?: string } = {};
  for (const [field, key, outKey] of [
    ['successCondition', 'success', 'successCondition'],
    ['failureCondition', 'failure', 'failureCondition'],
  ] as const) {
    const source = metric[field];
    if (source === undefined) continue;
    if (typeof source !== 'string') return { ok: false, reason: `${field} is not a string` };
    const inlined = inlineArgs(source, defaults);
    if (!inlined.ok) return { ok: false, reason: `${field} ${inlined.reason}` };
    const node = parseExpr(inlined.text);
    if (!node.ok) return { ok: false, reason: `${field} "${source}": ${node.reason}` };
    const cel = exprToCel(node.node, { argoShape, single: shape === 'single' });
    if (!cel.ok) return { ok: false, reason: `${field} "${source}": ${cel.reason}` };
    const check = checkCondition(cel.cel, shape === 'many' ? 'list' : 'scalar');
    if (!check.ok)
      return { ok: false, reason: `${field} "${source}": its CEL form does not check: ${check.error}` };
    parsed[key] = node.node;
    out[outKey] = cel.cel;
    const how =
      shape === 'many'
        ? ' (the query can return several series, so the CEL reads result as the list Argo saw)'
        : '';
    if (inlined.inlined.length > 0) {
      log.changed(
        join(path, field),
        `"${source}" → "${cel.cel}": arg default ${inlined.inlined.join(', ')} written in place; a caller can no longer override it${how}`,
      );
    } else {
      log.kept(join(path, field), `"${source}" → "${cel.cel}"${how}`);
    }
  }
  if (out.successCondition === undefined && out.failureCondition === undefined) {
    // Argo passes every measurement of a metric without conditions; serin would pass none.
    out.successCondition = 'true';
    log.changed(
      join(path, 'successCondition'),
      'none given: Argo passes every measurement (even without data); serin needs a condition, so it is "true" (every measurement with data passes)',
    );
  }
  return { ok: true, ...out, noData: noDataFor(argoShape, parsed, path, log) };
}
