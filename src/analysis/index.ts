export {
  BUILTIN_ARGS,
  findPlaceholders,
  renderTemplate,
  renderTemplateWith,
  type Placeholder,
  type RenderResult,
} from './templating.ts';
export {
  MAX_CONDITION_LENGTH,
  checkCondition,
  evaluateCondition,
  type ConditionCheck,
  type ConditionValue,
  type ResultShape,
} from './conditions.ts';
export { checkPromqlSyntax, type PromqlSyntaxError } from './promql-syntax.ts';
export { evidenceSpanMs, queryLookbackMs, type EvidenceInput } from './evidence.ts';
export {
  ERROR_RETRY_MS,
  assessMetric,
  effectiveCount,
  isCompleted,
  scheduleProblems,
  type MetricAssessment,
} from './assessment.ts';
export {
  DEFAULT_HISTORY_LIMIT,
  dueMeasurements,
  mergeMetrics,
  nextDueAt,
  recordMeasurement,
  runPhase,
  startRun,
  terminateRun,
  type MeasurementOutcome,
  type MergeResult,
  type RecordOptions,
  type StartRunInput,
} from './run.ts';
export {
  JUDGE_DEFAULT_CONDITION,
  applyConditions,
  measure,
  type JudgeRunner,
  type MeasureContext,
  type ResolvedArgs,
  type ScoredOutcome,
} from './measure.ts';
export {
  builtinArgsFor,
  mergeDeclaredArgs,
  resolveArgs,
  type ArgsResult,
  type BuiltinArgValues,
  type ResolveArgsInput,
} from './args.ts';
export { formatNumber, formatValue, parseValue } from './values.ts';
export {
  HEADER_VALUE,
  renderWebRequest,
  webTemplateProblems,
  webTemplateTexts,
  type WebRequest,
  type WebRequestHeader,
  type WebRunner,
} from './web-request.ts';
export {
  runBacktest,
  runLive,
  type BacktestInput,
  type LiveRunInput,
  type MeasurementListener,
  type RunnerInput,
} from './runner.ts';
export { dedupingProvider, instantQueryKey } from './instant-query.ts';
export { analysisRefOf, referencedTemplates, resolveTemplates, templateRefKey } from './template-refs.ts';
export { checkTemplateSpec, type TemplateProblem } from './template-checks.ts';
export {
  measureRuns,
  nextMeasurementAt,
  verdictEvents,
  type AnalysisDeps,
  type MeasurementTiming,
  type MeasureRunsInput,
} from './canary-runs.ts';
