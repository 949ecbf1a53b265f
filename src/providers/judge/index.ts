/** The `judge` metric provider: two range queries judged by src/judge (see docs/judge.md). */
export {
  createJudgeRunner,
  PASS_SCORE,
  type Judgement,
  type JudgeOutcome,
  type JudgeRunnerOptions,
} from './judge-runner.ts';
export { formatInterval, formatStatistic, summarizeJudgement } from './summary.ts';
