import type { AnalysisRef, AnalysisTemplateSpec, Canary, SerinObject } from '../api/index.ts';
import { parseSerinObject } from '../api/index.ts';
import { checkTemplateSpec } from '../analysis/template-checks.ts';

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

/** Checks a template beyond its schema: the core's checks (the controller runs the same), plus advice. */
export function lintTemplateSpec(spec: AnalysisTemplateSpec, report: Report): void {
  for (const problem of checkTemplateSpec(spec)) report(problem.path, problem.message);
  spec.metrics.forEach((metric, index) => {
    // A judge metric without a condition passes on Pass (see JUDGE_DEFAULT_CONDITION).
    if (
      metric.successCondition === undefined &&
      metric.failureCondition === undefined &&
      !('judge' in metric.provider)
    ) {
      report(
        `spec.metrics[${index}]`,
        'has neither successCondition nor failureCondition: every measurement would be Inconclusive',
      );
    }
  });
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
