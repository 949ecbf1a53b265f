import type {
  AnalysisRef,
  AnalysisRunStatus,
  AnalysisTemplateSpec,
  Canary,
  TemplateRef,
} from '../api/index.ts';

/** The key templates are looked up by: `templateName/<name>` or `clusterTemplateName/<name>`. */
export function templateRefKey(ref: TemplateRef): string {
  return 'templateName' in ref
    ? `templateName/${ref.templateName}`
    : `clusterTemplateName/${ref.clusterTemplateName}`;
}

/** Every template a Canary's steps and background analysis reference. */
export function referencedTemplates(canary: Canary): TemplateRef[] {
  const refs = canary.spec.steps.flatMap((step) => ('analysis' in step ? step.analysis.templates : []));
  if (canary.spec.analysis) refs.push(...canary.spec.analysis.templates);
  const byKey = new Map(refs.map((ref) => [templateRefKey(ref), ref]));
  return [...byKey.values()];
}

/** The analysis a run belongs to: a step's, or the background one. */
export function analysisRefOf(
  canary: Canary,
  run: Pick<AnalysisRunStatus, 'kind' | 'step'>,
): AnalysisRef | undefined {
  if (run.kind === 'Background') return canary.spec.analysis;
  const step = run.step === undefined ? undefined : canary.spec.steps[run.step];
  return step && 'analysis' in step ? step.analysis : undefined;
}

/** The templates an analysis references, or undefined when one of them is missing. */
export function resolveTemplates(
  ref: AnalysisRef,
  templates: ReadonlyMap<string, AnalysisTemplateSpec | undefined>,
): AnalysisTemplateSpec[] | undefined {
  const specs = ref.templates.map((template) => templates.get(templateRefKey(template)));
  return specs.every((spec) => spec !== undefined) ? specs : undefined;
}
