/**
 * The read model: a Canary, its status and its Events turned into what a person sees (phase,
 * step k/n, weights, the latest measurement against its condition, the last Events). Pure.
 */
export { canaryView, describeStep, type CanaryViewInput } from './canary-view.ts';
export { viewChanges } from './changes.ts';
export {
  PLAIN_STYLE,
  decidingMetrics,
  eventText,
  formatMeasured,
  measurementText,
  phaseText,
  renderCanaryView,
  stepText,
  timeOfDay,
  versusText,
  weightBar,
  type TextStyle,
} from './format.ts';
export type {
  AnalysisView,
  CanaryLike,
  CanaryView,
  EventLike,
  EventView,
  MeasurementView,
  MetricView,
  StepView,
  TemplateLike,
  TemplateRefLike,
  Weights,
} from './types.ts';
