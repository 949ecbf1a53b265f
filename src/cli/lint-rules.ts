import type {
  AnalysisRef,
  AnalysisTemplateSpec,
  Canary,
  Metric,
  SerinObject,
  WebProvider,
} from '../api/index.ts';
import { parseSerinObject } from '../api/index.ts';
import { checkCondition } from '../analysis/conditions.ts';
import { checkPromqlSyntax } from '../analysis/promql-syntax.ts';
import { BUILTIN_ARGS, findPlaceholders } from '../analysis/templating.ts';
import { webTemplateProblems, webTemplateTexts } from '../analysis/web-request.ts';

/** One YAML document to lint, already parsed. */
export interface LintDocument {
  readonly file: string;
  readonly index: number;
  readonly content: unknown;
}

/** A problem found by lint, located by file, document and field path. */
export interface LintProblem {
  readonly file: string;
  readonly document: number;
  readonly kind?: string;
  readonly name?: string;
  readonly path: string;
  readonly message: string;
}

interface Parsed {
  readonly doc: LintDocument;
  readonly object: SerinObject;
}

type Report = (path: string, message: string) => void;

/**
 * Documents of other API groups (the Deployment, the VirtualService kept in the same file) are not
 * serin's to judge and are skipped; anything claiming serin.dev, or stating no apiVersion, is linted.
 */
export function isSerinDocument(content: unknown): boolean {
  const apiVersion = (content as { apiVersion?: unknown } | null)?.apiVersion;
  return typeof apiVersion !== 'string' || apiVersion.startsWith('serin.dev/');
}

/** Lints a set of documents together, so that a Canary's template references resolve across files. */
export function lintDocuments(docs: readonly LintDocument[]): LintProblem[] {
  const problems: LintProblem[] = [];
  const parsed: Parsed[] = [];
  for (const doc of docs) {
    if (!isSerinDocument(doc.content)) continue;
    const reporter = reporterFor(problems, doc);
    const result = parseSerinObject(doc.content);
    if (!result.ok) {
      for (const issue of result.issues) reporter(identify(doc.content))(issue.path, issue.message);
      continue;
    }
    parsed.push({ doc, object: result.value });
  }
  const templates = indexTemplates(parsed);
  for (const { doc, object } of parsed) {
    const report = reporterFor(problems, doc)({ kind: object.kind, name: object.metadata.name ?? '' });
    if (object.kind === 'AnalysisTemplate' || object.kind === 'ClusterAnalysisTemplate') {
      lintTemplateSpec(object.spec, report);
    } else if (object.kind === 'Canary') {
      lintCanary(object, templates, report);
    }
  }
  return problems;
}

interface Identity {
  readonly kind: string;
  readonly name: string;
}

/** Kind and name of a document that failed validation, when it states them. */
function identify(content: unknown): Identity | undefined {
  const { kind, metadata } = (content ?? {}) as {
    kind?: unknown;
    metadata?: { name?: unknown; generateName?: unknown };
  };
  if (typeof kind !== 'string') return undefined;
  const name = metadata?.name ?? metadata?.generateName;
  return { kind, name: typeof name === 'string' ? name : '' };
}

function reporterFor(problems: LintProblem[], doc: LintDocument) {
  return (identity: Identity | undefined): Report =>
    (path, message) => {
      problems.push({ file: doc.file, document: doc.index, ...identity, path, message });
    };
}

type TemplateIndex = Map<string, AnalysisTemplateSpec>;

function templateKey(kind: 'templateName' | 'clusterTemplateName', name: string): string {
  return `${kind}/${name}`;
}

function indexTemplates(parsed: readonly Parsed[]): TemplateIndex {
  const index: TemplateIndex = new Map();
  for (const { object } of parsed) {
    const name = object.metadata.name ?? '';
    if (object.kind === 'AnalysisTemplate') index.set(templateKey('templateName', name), object.spec);
    if (object.kind === 'ClusterAnalysisTemplate')
      index.set(templateKey('clusterTemplateName', name), object.spec);
  }
  return index;
}

/** Checks a template's queries and conditions beyond what the schema can say. */
export function lintTemplateSpec(spec: AnalysisTemplateSpec, report: Report): void {
  const declared = new Set([...(spec.args ?? []).map((arg) => `args.${arg.name}`), ...BUILTIN_ARGS]);
  const defaults = new Map((spec.args ?? []).map((arg) => [`args.${arg.name}`, arg.value]));
  spec.metrics.forEach((metric, index) => {
    const base = `spec.metrics[${index}]`;
    for (const [path, query] of queriesOf(metric)) {
      lintQuery(query, { declared, defaults }, (message) => {
        report(`${base}.${path}`, message);
      });
    }
    if ('web' in metric.provider)
      lintWeb(metric.provider.web, declared, (path, message) => {
        report(`${base}.provider.web.${path}`, message);
      });
    lintConditions(metric, base, report);
  });
}

/** A web metric's URL and body templates, and the placeholders in its URL, body and headers. */
function lintWeb(web: WebProvider, declared: ReadonlySet<string>, report: Report): void {
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

function lintQuery(query: string, scope: ArgScope, report: (message: string) => void): void {
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

function lintConditions(metric: Metric, base: string, report: Report): void {
  for (const field of ['successCondition', 'failureCondition'] as const) {
    const expression = metric[field];
    if (expression === undefined) continue;
    const scalar = checkCondition(expression, 'scalar');
    if (scalar.ok) continue;
    const list = checkCondition(expression, 'list');
    if (!list.ok) report(`${base}.${field}`, `CEL: ${scalar.error}`);
  }
  // A judge metric without a condition passes on Pass (see JUDGE_DEFAULT_CONDITION).
  if (
    metric.successCondition === undefined &&
    metric.failureCondition === undefined &&
    !('judge' in metric.provider)
  ) {
    report(
      base,
      'has neither successCondition nor failureCondition: every measurement would be Inconclusive',
    );
  }
}

function lintCanary(canary: Canary, templates: TemplateIndex, report: Report): void {
  canary.spec.steps.forEach((step, index) => {
    if ('analysis' in step)
      lintAnalysisRef(step.analysis, `spec.steps[${index}].analysis`, templates, report);
  });
  if (canary.spec.analysis) lintAnalysisRef(canary.spec.analysis, 'spec.analysis', templates, report);
  lintWebhooks(canary, report);
}

/** skipAnalysis skips every webhook gate but post-rollout: a gate it would skip is a mistake to say. */
function lintWebhooks(canary: Canary, report: Report): void {
  if (!canary.spec.skipAnalysis) return;
  (canary.spec.webhooks ?? []).forEach((webhook, index) => {
    if (webhook.type === 'post-rollout') return;
    report(
      `spec.webhooks[${index}].type`,
      `${webhook.type} webhook is never called: skipAnalysis skips every gate but post-rollout`,
    );
  });
}

function lintAnalysisRef(ref: AnalysisRef, base: string, templates: TemplateIndex, report: Report): void {
  const seen = new Set<string>();
  const resolved: AnalysisTemplateSpec[] = [];
  let unresolved = false;
  for (const [index, template] of ref.templates.entries()) {
    const [field, name] =
      'templateName' in template
        ? (['templateName', template.templateName] as const)
        : (['clusterTemplateName', template.clusterTemplateName] as const);
    const path = `${base}.templates[${index}].${field}`;
    const key = templateKey(field, name);
    if (seen.has(key)) {
      report(path, `duplicate template reference "${name}"`);
      continue;
    }
    seen.add(key);
    const spec = templates.get(key);
    if (spec) resolved.push(spec);
    else {
      unresolved = true;
      const kind = field === 'templateName' ? 'AnalysisTemplate' : 'ClusterAnalysisTemplate';
      report(path, `${kind} "${name}" is not defined in the linted files`);
    }
  }
  // Args can only be checked against templates that were all found.
  if (!unresolved) lintArgs(ref, resolved, base, report);
}

function lintArgs(
  ref: AnalysisRef,
  specs: readonly AnalysisTemplateSpec[],
  base: string,
  report: Report,
): void {
  const given = new Set((ref.args ?? []).map((arg) => arg.name));
  const declared = specs.flatMap((spec) => spec.args ?? []);
  for (const arg of declared) {
    if (arg.value === undefined && arg.valueFrom === undefined && !given.has(arg.name)) {
      report(`${base}.args`, `missing value for arg "${arg.name}" required by the referenced template(s)`);
    }
  }
  (ref.args ?? []).forEach((arg, index) => {
    if (!declared.some((d) => d.name === arg.name)) {
      report(`${base}.args[${index}].name`, `arg "${arg.name}" is not declared by any referenced template`);
    }
  });
  const metricNames = new Set<string>();
  for (const metric of specs.flatMap((spec) => spec.metrics)) {
    if (metricNames.has(metric.name))
      report(`${base}.templates`, `metric "${metric.name}" is defined by more than one template`);
    metricNames.add(metric.name);
  }
}
