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
export { ageText } from './age.ts';
export { waitingFor, type Waiting, type WaitingInput } from './waiting.ts';
export {
  statusView,
  type MetricDetail,
  type RunDetail,
  type StatusView,
  type StatusViewInput,
  type StepLine,
  type StepState,
} from './status-view.ts';
export { renderStatus } from './status-screen.ts';
export { canaryRow, type CanaryRow, type RowInput } from './canary-row.ts';
export { approvalRow, type ApprovalLike, type ApprovalRow } from './approval-row.ts';
