/** What every suite shares: one polling helper, one manual clock, one simulator fixture. */
export { eventually, poll, PollTimeoutError, type PollOptions } from './poll.ts';
export { CLOCK_START, ManualClock, settleTasks, type AdvanceOptions } from './clock.ts';
export {
  clientFor,
  kubeConfigFor,
  startSim,
  type KubeSim,
  type KubeSimOptions,
  type SimFixture,
} from './sim.ts';
