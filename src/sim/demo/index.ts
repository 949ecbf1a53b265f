/**
 * The demo (`serin demo`): the example Canary on the local stack, a good release and a bad one,
 * shown live on a terminal or as a log elsewhere.
 */
export { runDemo, type DemoOptions, type DemoOutcome } from './run.ts';
export {
  chooseView,
  createLiveDisplay,
  createLogDisplay,
  fitLine,
  type DemoDisplay,
  type ViewMode,
} from './display.ts';
export { DemoError, type DemoErrorCode } from './errors.ts';
export { demoManifests, DEMO_MEASUREMENT } from './setup.ts';
export { GOOD_VERSION, BAD_VERSION } from './scenario.ts';
export { summaryLines, keepLines } from './summary.ts';
export type { PromoteRequest, PromoteResult, PromoteVerb, ReleaseResult } from './releases.ts';
