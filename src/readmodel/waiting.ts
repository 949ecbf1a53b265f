import { durationToMs, type CanaryStep } from '../api/index.ts';
import { describeStep } from './canary-view.ts';
import type { CanaryLike } from './types.ts';

/** What serin waits for, and the commands a person could run about it (most likely first). */
export interface Waiting {
  /** Short, for a table column: `approval`, `pause 4m10s`, `analysis`, `canary ready`, ... */
  readonly short: string;
  /** A sentence for `serin status`. */
  readonly text: string;
  /** e.g. `serin promote web -n shop`; empty when nothing a person does would help. */
  readonly commands: readonly string[];
}

/** A Canary as {@link waitingFor} reads it: the view's fields plus suspend and the target. */
export interface WaitingInput extends CanaryLike {
  readonly spec: CanaryLike['spec'] & {
    readonly suspend?: boolean | undefined;
    readonly targetRef?: { readonly name: string } | undefined;
  };
}

function command(canary: CanaryLike, verb: string, flags = ''): string {
  const ns = canary.metadata.namespace;
  return `serin ${verb} ${canary.metadata.name ?? ''}${ns === undefined ? '' : ` -n ${ns}`}${flags}`;
}

function seconds(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 === 0 ? '' : `${s % 60}s`}`;
}

function pausedFor(canary: CanaryLike, step: CanaryStep | undefined): Waiting {
  const status = canary.status;
  const [promote, abort] = [command(canary, 'promote'), command(canary, 'abort')];
  if (status?.pauseReason === 'AnalysisFailed') {
    return {
      short: 'decision',
      text:
        'a person to decide: the analysis failed (canary weight 0, its pods kept to look at); retry restarts the ' +
        'revision, abort rolls back, promote --full with a reason overrides',
      commands: [command(canary, 'retry'), abort, command(canary, 'promote', ' --full --reason "…"')],
    };
  }
  if (status?.pauseReason === 'InconclusiveAnalysis' || status?.pauseReason === 'AnalysisError') {
    const why = status.pauseReason === 'InconclusiveAnalysis' ? 'was inconclusive' : 'ended in errors';
    return {
      short: 'decision',
      text: `a person to decide: the analysis ${why}; promote continues with the next step, abort rolls back`,
      commands: [promote, abort],
    };
  }
  if (step !== undefined && 'pause' in step && step.pause.duration === undefined) {
    return {
      short: 'approval',
      text: 'an approval to continue (a pause {} step)',
      commands: [promote, abort],
    };
  }
  return {
    short: 'resume',
    text: 'someone to resume the rollout (paused by an Approval)',
    commands: [command(canary, 'resume'), abort],
  };
}

function stepWait(canary: CanaryLike, step: CanaryStep, now: number): Pick<Waiting, 'short' | 'text'> {
  const status = canary.status;
  if ('setWeight' in step) {
    return status?.canaryWeight === step.setWeight
      ? { short: 'next step', text: `the next step (weight ${step.setWeight}% is set)` }
      : { short: 'canary ready', text: `the canary pods to be ready before weight ${step.setWeight}%` };
  }
  if ('pause' in step && step.pause.duration !== undefined) {
    const started = Date.parse(status?.stepStartedAt ?? '');
    const left = Number.isFinite(started) ? started + durationToMs(step.pause.duration) - now : undefined;
    const rest = left === undefined ? '' : ` (${seconds(left)} left)`;
    return {
      short: `pause${left === undefined ? '' : ` ${seconds(left)}`}`,
      text: `a timed pause of ${step.pause.duration}${rest}`,
    };
  }
  return { short: 'analysis', text: `the ${describeStep(step)} to reach a verdict` };
}

function progressing(canary: WaitingInput, step: CanaryStep | undefined, now: number): Waiting {
  const commands = [
    command(canary, 'pause'),
    command(canary, 'promote', ' --full'),
    command(canary, 'abort'),
  ];
  if (canary.spec.suspend === true) {
    return { short: 'unsuspend', text: 'spec.suspend to be set to false (progression is frozen)', commands };
  }
  if (step === undefined) return { short: 'next step', text: 'the next step', commands };
  return { ...stepWait(canary, step, now), commands };
}

/** What the Canary waits for at `now` (epoch ms), with the commands that would act on it. */
export function waitingFor(canary: WaitingInput, now: number): Waiting {
  const status = canary.status;
  const index = status?.currentStepIndex;
  const step = index === undefined ? undefined : canary.spec.steps[index];
  const target = canary.spec.targetRef?.name ?? 'the target Deployment';
  const retry = [command(canary, 'retry')];
  switch (status?.phase) {
    case 'Progressing':
      return progressing(canary, step, now);
    case 'Paused':
      return pausedFor(canary, step);
    case 'Promoting':
      return {
        short: 'primary',
        text: `${target}-primary to roll out the new version`,
        commands: [command(canary, 'abort')],
      };
    case 'Initializing':
      return { short: 'primary', text: `${target}-primary to become ready`, commands: [] };
    case 'Aborted':
    case 'Failed':
      return {
        short: 'new revision',
        text: `a new revision of ${target}, or a retry of this one`,
        commands: retry,
      };
    case 'Idle':
    case 'Succeeded':
      return {
        short: '-',
        text: `nothing: the next change to ${target}'s pod template starts a rollout`,
        commands: [],
      };
    case undefined:
      return {
        short: 'controller',
        text: 'the controller to pick the Canary up (no status yet)',
        commands: [],
      };
  }
}
