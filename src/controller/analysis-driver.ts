/**
 * The controller's analysis driver. The bookkeeping itself lives in the core (src/analysis:
 * canary-runs.ts, template-refs.ts, instant-query.ts) so that `serin replay` runs a Canary's
 * analyses through the very same code without importing the controller.
 */
export {
  analysisRefOf,
  dedupingProvider,
  instantQueryKey,
  measureRuns,
  nextMeasurementAt,
  resolveTemplates,
  verdictEvents,
  type AnalysisDeps,
} from '../analysis/index.ts';
