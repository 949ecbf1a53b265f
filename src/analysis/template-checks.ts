import type { AnalysisTemplateSpec, Metric, WebProvider } from '../api/index.ts';
import { checkCondition } from './conditions.ts';
import { checkPromqlSyntax } from './promql-syntax.ts';
import { BUILTIN_ARGS, findPlaceholders } from './templating.ts';
import { webTemplateProblems, webTemplateTexts } from './web-request.ts';

/** A template problem the schema cannot see, located by its field path. */
export interface TemplateProblem {
  readonly path: string;
  readonly message: string;
}

type Report = (path: string, message: string) => void;

/**
 * Checks a template beyond what its schema can say: each query's PromQL syntax (Prometheus' own
 * grammar), placeholders that spec.args does not declare, CEL conditions that do not compile or
 * type-check, and a web metric's URL and body. `serin lint` and the controller both run these, so a
 * template lint refuses never reaches traffic: the controller stalls it with InvalidTemplate.
 */
export function checkTemplateSpec(spec: AnalysisTemplateSpec): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const report: Report = (path, message) => {
    problems.push({ path, message });
  };
  const declared = new Set([...(spec.args ?? []).map((arg) => `args.${arg.name}`), ...BUILTIN_ARGS]);
  const defaults = new Map((spec.args ?? []).map((arg) => [`args.${arg.name}`, arg.value]));
  spec.metrics.forEach((metric, index) => {
    const base = `spec.metrics[${index}]`;
    for (const [path, query] of queriesOf(metric)) {
      checkQuery(query, { declared, defaults }, (message) => {
        report(`${base}.${path}`, message);
      });
    }
    if ('web' in metric.provider)
      checkWeb(metric.provider.web, declared, (path, message) => {
        report(`${base}.provider.web.${path}`, message);
      });
    checkConditions(metric, base, report);
  });
  return problems;
}

/** A web metric's URL and body templates, and the placeholders in its URL, body and headers. */
function checkWeb(web: WebProvider, declared: ReadonlySet<string>, report: Report): void {
  for (const [path, text] of webTemplateTexts(web)) {
    for (const placeholder of findPlaceholders(text)) {
      if (!declared.has(placeholder.name))
        report(
          path,
          `placeholder {{${placeholder.name}}} is not declared in spec.args (nor a built-in canary.* arg)`,
        );
    }
  }
  for (const [path, message] of webTemplateProblems(web)) report(path, message);
}

function queriesOf(metric: Metric): [string, string][] {
  const queries: [string, string][] = [];
  const provider = metric.provider;
  if ('prometheus' in provider) queries.push(['provider.prometheus.query', provider.prometheus.query]);
  else if ('judge' in provider) {
    const { judge } = provider;
    const pairs = judge.comparisons?.map((c, i) => [`comparisons[${i}].`, c] as const) ?? [['', judge]];
    for (const [prefix, pair] of pairs) {
      for (const key of ['baselineQuery', 'canaryQuery'] as const) {
        const query = pair[key];
        if (query !== undefined) queries.push([`provider.judge.${prefix}${key}`, query]);
      }
    }
  }
  if (metric.minTraffic) queries.push(['minTraffic.query', metric.minTraffic.query]);
  return queries;
}

interface ArgScope {
  readonly declared: ReadonlySet<string>;
  readonly defaults: ReadonlyMap<string, string | undefined>;
}

/** A stand-in for an arg without a default: valid both in a label matcher and in a range. */
const PLACEHOLDER_STAND_IN = '1m';

function checkQuery(query: string, scope: ArgScope, report: (message: string) => void): void {
  let rendered = '';
  let cursor = 0;
  // Maps offsets in the rendered query back to the template text, for error positions.
  const segments: { rendered: number; original: number }[] = [];
  for (const placeholder of findPlaceholders(query)) {
    if (!scope.declared.has(placeholder.name)) {
      report(
        `placeholder {{${placeholder.name}}} is not declared in spec.args (nor a built-in canary.* arg)`,
      );
    }
    segments.push({ rendered: rendered.length, original: cursor });
    rendered += query.slice(cursor, placeholder.index);
    segments.push({ rendered: rendered.length, original: placeholder.index });
    rendered += scope.defaults.get(placeholder.name) ?? PLACEHOLDER_STAND_IN;
    const end = query.indexOf('}}', placeholder.index);
    cursor = end === -1 ? query.length : end + 2;
  }
  segments.push({ rendered: rendered.length, original: cursor });
  rendered += query.slice(cursor);
  const error = checkPromqlSyntax(rendered);
  if (!error) return;
  const segment = [...segments].reverse().find((s) => s.rendered <= error.offset) ?? {
    rendered: 0,
    original: 0,
  };
  const offset = Math.min(segment.original + (error.offset - segment.rendered), query.length);
  const before = query.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  report(`PromQL syntax error at line ${line}, column ${column}: ${error.message}`);
}

function checkConditions(metric: Metric, base: string, report: Report): void {
  for (const field of ['successCondition', 'failureCondition'] as const) {
    const expression = metric[field];
    if (expression === undefined) continue;
    const scalar = checkCondition(expression, 'scalar');
    if (scalar.ok) continue;
    const list = checkCondition(expression, 'list');
    if (!list.ok) report(`${base}.${field}`, `CEL: ${scalar.error}`);
  }
}
