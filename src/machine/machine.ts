import { and, enqueueActions, setup } from 'xstate';
import type { ApprovalAction, CanarySpec } from '../api/index.ts';
import { ops, type OpName } from './actions.ts';
import { initialContext, withClock } from './context.ts';
import type { GateOutcome } from './gates.ts';
import { guards } from './guards.ts';
import type { Effect, MachineContext, MachineEvent } from './types.ts';

type OpParams<K extends OpName> = Parameters<(typeof ops)[K]>[2];

/** The one parameterised action the chart uses: run a named pure operation. */
interface RunParams {
  readonly name: OpName;
  readonly params?: unknown;
}

/** An action object that runs the named operation (with its parameters, if it takes any). */
function op<K extends OpName>(name: K, ...params: OpParams<K> extends undefined ? [] : [OpParams<K>]) {
  return { type: 'run' as const, params: { name, params: params[0] } satisfies RunParams };
}

const verdict = (meaning: 'pass' | 'abort' | 'pause') => ({ meaning });
const approval = (...actions: ApprovalAction[]) => ({ type: 'approval' as const, params: { actions } });
const clock = op('observeClock');
const gate = (outcome: GateOutcome) => ({ type: 'gate' as const, params: { outcome } });

/**
 * A webhook gate's answer during a rollout (docs/state-machine.md, "Webhook gates"): a rollback 2xx
 * or a failed check aborts (or pauses, onFailure Pause); a pass lets the steps move; a confirm gate
 * that is not 2xx holds. Answers for anything not awaited only move the clock.
 */
function gateAnswers(inPaused: boolean) {
  return [
    { guard: gate('rollback'), target: 'Aborted', actions: op('abortOnRollbackGate') },
    { guard: gate('abort'), target: 'Aborted', actions: op('abortOnGate') },
    inPaused
      ? { guard: gate('pause'), actions: op('pauseOnGate') }
      : { guard: gate('pause'), target: 'Paused', actions: op('pauseOnGate') },
    { guard: gate('pass'), actions: op('passGate') },
    { guard: gate('hold'), actions: op('holdGate') },
    { actions: clock },
  ];
}

/**
 * Aborted and Failed are final alike: only a new revision (or a return to the stable one) or a Retry
 * moves them; every other approval is rejected naming the phase.
 */
function stoppedRollout(phase: 'Aborted' | 'Failed') {
  return {
    NewRevision: [
      { guard: 'sameRevision' as const, actions: clock },
      { guard: 'backToStable' as const, target: 'Idle', actions: op('returnToStable') },
      { target: 'Progressing', actions: op('startRevision', { midRollout: false }) },
    ],
    Approval: [
      { guard: approval('Retry'), target: 'Progressing', actions: [op('retry'), op('recordApplied')] },
      { actions: op('reject', { phase }) },
    ],
    Suspend: { actions: op('noteSuspension') },
    Unsuspend: { actions: op('noteSuspension') },
    SpecChanged: { actions: op('noteSuspension') },
    '*': { actions: clock },
  };
}

/**
 * The canary state machine. It performs no I/O: every action is a pure operation that updates the
 * context and enqueues `effect` actions, which `transition()` returns to the caller in order.
 */
export const canaryMachine = setup({
  types: {
    context: {} as MachineContext,
    events: {} as MachineEvent,
    input: {} as { spec: CanarySpec; now: number; revision?: string },
  },
  actions: {
    /** A descriptor for the controller; never executed by the machine. */
    effect: (_args, _effect: Effect) => undefined,
    run: enqueueActions(({ context, event, enqueue }, params: RunParams) => {
      const operation = ops[params.name] as (
        c: MachineContext,
        e: MachineEvent,
        p: unknown,
      ) => {
        context: MachineContext;
        effects: readonly Effect[];
      };
      const outcome = operation(withClock(context, event), event, params.params);
      enqueue.assign(() => outcome.context);
      // Inside setup() the enqueuer cannot yet know the `effect` action declared beside it.
      for (const effect of outcome.effects) enqueue({ type: 'effect', params: effect } as never);
    }),
  },
  guards,
}).createMachine({
  id: 'canary',
  context: ({ input }) => ({
    ...initialContext(input.spec, input.now),
    revision: input.revision ?? null,
  }),
  initial: 'Initializing',
  states: {
    Initializing: {
      entry: op('initialize'),
      on: {
        NewRevision: [{ guard: 'sameRevision', actions: clock }, { actions: op('adoptRevision') }],
        PrimaryReady: [
          { guard: 'forCurrentRevision', target: 'Idle', actions: op('becomeIdle') },
          { actions: clock },
        ],
        Tick: [{ guard: 'initDeadlinePassed', actions: op('stallInitialization') }, { actions: clock }],
        Approval: { actions: op('reject', { phase: 'Initializing' }) },
        Suspend: { actions: op('suspend') },
        Unsuspend: { actions: op('unsuspend') },
        SpecChanged: { actions: op('noteSuspension') },
        '*': { actions: clock },
      },
    },
    Idle: {
      on: {
        NewRevision: [
          { guard: 'sameRevision', actions: clock },
          { target: 'Progressing', actions: op('startRevision', { midRollout: false }) },
        ],
        Approval: { actions: op('reject', { phase: 'Idle' }) },
        Suspend: { actions: op('suspend') },
        Unsuspend: { actions: op('unsuspend') },
        SpecChanged: { actions: op('noteSuspension') },
        '*': { actions: clock },
      },
    },
    Progressing: {
      always: [
        { guard: 'skipAnalysisReady', target: 'Promoting' },
        { guard: 'gateDue', actions: op('askGate') },
        { guard: 'stepsExhausted', target: 'Promoting' },
        { guard: 'approvalStepDue', target: 'Paused', actions: op('enterStep') },
        { guard: 'stepDue', actions: op('enterStep') },
        { guard: 'setWeightPending', actions: op('applyPendingWeight') },
        { guard: 'stepComplete', actions: op('completeStep') },
      ],
      on: {
        Tick: [
          { guard: 'readinessDeadlinePassed', target: 'Failed', actions: op('failReadiness') },
          { actions: op('tick') },
        ],
        NewRevision: [
          { guard: 'sameRevision', actions: clock },
          { guard: 'backToStable', target: 'Idle', actions: op('returnToStable') },
          { target: 'Progressing', actions: op('startRevision', { midRollout: true }) },
        ],
        CanaryReady: [{ guard: 'forCurrentRevision', actions: op('canaryReady') }, { actions: clock }],
        CanaryNotReady: [{ guard: 'forCurrentRevision', actions: op('canaryNotReady') }, { actions: clock }],
        AnalysisVerdict: [
          {
            guard: { type: 'stepVerdict', params: verdict('abort') },
            target: 'Aborted',
            actions: op('abortOnVerdict'),
          },
          {
            guard: { type: 'stepVerdict', params: verdict('pause') },
            target: 'Paused',
            actions: op('pauseOnStepVerdict'),
          },
          { guard: { type: 'stepVerdict', params: verdict('pass') }, actions: op('passStepRun') },
          { actions: clock },
        ],
        BackgroundAnalysisVerdict: [
          {
            guard: { type: 'backgroundVerdict', params: verdict('abort') },
            target: 'Aborted',
            actions: op('abortOnVerdict'),
          },
          {
            guard: { type: 'backgroundVerdict', params: verdict('pause') },
            target: 'Paused',
            actions: op('pauseOnBackgroundVerdict'),
          },
          { guard: { type: 'backgroundVerdict', params: verdict('pass') }, actions: op('passBackgroundRun') },
          { actions: clock },
        ],
        GateResult: gateAnswers(false),
        Approval: [
          {
            guard: approval('Abort'),
            target: 'Aborted',
            actions: [op('abortByApproval'), op('recordApplied')],
          },
          { guard: approval('PromoteFull'), target: 'Promoting', actions: op('recordApplied') },
          {
            guard: approval('Pause'),
            target: 'Paused',
            actions: [op('pauseByApproval'), op('recordApplied')],
          },
          { actions: op('reject', { phase: 'Progressing' }) },
        ],
        SpecChanged: { actions: op('specChanged') },
        Suspend: { actions: op('suspend') },
        Unsuspend: { actions: op('unsuspend') },
        '*': { actions: clock },
      },
    },
    Paused: {
      on: {
        NewRevision: [
          { guard: 'sameRevision', actions: clock },
          { guard: 'backToStable', target: 'Idle', actions: op('returnToStable') },
          { target: 'Progressing', actions: op('startRevision', { midRollout: true }) },
        ],
        // Paused: readiness is noted, but traffic moves only after the rollout continues.
        CanaryReady: [
          { guard: 'forCurrentRevision', actions: op('noteCanaryReadiness') },
          { actions: clock },
        ],
        CanaryNotReady: [{ guard: 'forCurrentRevision', actions: op('canaryNotReady') }, { actions: clock }],
        AnalysisVerdict: [
          {
            guard: { type: 'stepVerdict', params: verdict('abort') },
            target: 'Aborted',
            actions: op('abortOnVerdict'),
          },
          { guard: { type: 'stepVerdict', params: verdict('pause') }, actions: op('pauseOnStepVerdict') },
          { guard: { type: 'stepVerdict', params: verdict('pass') }, actions: op('passStepRun') },
          { actions: clock },
        ],
        BackgroundAnalysisVerdict: [
          {
            guard: { type: 'backgroundVerdict', params: verdict('abort') },
            target: 'Aborted',
            actions: op('abortOnVerdict'),
          },
          {
            guard: { type: 'backgroundVerdict', params: verdict('pause') },
            actions: op('pauseOnBackgroundVerdict'),
          },
          { guard: { type: 'backgroundVerdict', params: verdict('pass') }, actions: op('passBackgroundRun') },
          { actions: clock },
        ],
        GateResult: gateAnswers(true),
        Approval: [
          {
            guard: approval('Abort'),
            target: 'Aborted',
            actions: [op('abortByApproval'), op('recordApplied')],
          },
          {
            guard: 'unreasonedPromoteOverFailure',
            actions: op('reject', {
              phase: 'Paused',
              reason: 'PromoteFull over a failed analysis needs a reason',
            }),
          },
          { guard: approval('PromoteFull'), target: 'Promoting', actions: op('recordApplied') },
          {
            guard: and([approval('Retry'), 'failedPause']),
            target: 'Progressing',
            actions: [op('retry'), op('recordApplied')],
          },
          {
            guard: 'failedPause',
            actions: op('reject', {
              phase: 'Paused',
              reason: 'a failed analysis is left by Retry, Abort, or PromoteFull with a reason',
            }),
          },
          {
            guard: approval('Promote', 'Resume'),
            target: 'Progressing',
            actions: [op('resume'), op('recordApplied')],
          },
          { actions: op('reject', { phase: 'Paused' }) },
        ],
        SpecChanged: { actions: op('specChanged') },
        Suspend: { actions: op('suspend') },
        Unsuspend: { actions: op('unsuspend') },
        '*': { actions: clock },
      },
    },
    Promoting: {
      entry: op('beginPromotion'),
      always: [{ guard: 'promotionComplete', target: 'Succeeded', actions: op('finishPromotion') }],
      on: {
        Tick: [
          {
            guard: 'promotionDeadlinePassed',
            target: 'Failed',
            actions: [op('failPromotion'), op('restoreStablePrimary')],
          },
          { actions: clock },
        ],
        PrimaryReady: [{ guard: 'forCurrentRevision', actions: op('notePrimaryReady') }, { actions: clock }],
        NewRevision: [{ guard: 'sameRevision', actions: clock }, { actions: op('pendRevision') }],
        CanaryReady: [
          { guard: 'forCurrentRevision', actions: op('noteCanaryReadiness') },
          { actions: clock },
        ],
        CanaryNotReady: [
          { guard: 'forCurrentRevision', actions: op('noteCanaryReadiness') },
          { actions: clock },
        ],
        Approval: [
          {
            guard: approval('Abort'),
            target: 'Aborted',
            actions: [op('abortByApproval'), op('restoreStablePrimary'), op('recordApplied')],
          },
          { actions: op('reject', { phase: 'Promoting' }) },
        ],
        SpecChanged: { actions: op('specChanged') },
        Suspend: { actions: op('suspend') },
        Unsuspend: { actions: op('unsuspend') },
        '*': { actions: clock },
      },
    },
    // Finished phases: only a new revision (or a Retry of an aborted or failed one) moves them.
    Succeeded: {
      entry: op('askPostRollout', { phase: 'Succeeded' }),
      always: [{ guard: 'hasPendingRevision', target: 'Progressing', actions: op('startPendingRevision') }],
      on: {
        NewRevision: [
          { guard: 'sameRevision', actions: clock },
          { target: 'Progressing', actions: op('startRevision', { midRollout: false }) },
        ],
        Approval: { actions: op('reject', { phase: 'Succeeded' }) },
        Suspend: { actions: op('noteSuspension') },
        Unsuspend: { actions: op('noteSuspension') },
        SpecChanged: { actions: op('noteSuspension') },
        '*': { actions: clock },
      },
    },
    // post-rollout webhooks are told of the outcome; nothing waits for them.
    Aborted: { entry: op('askPostRollout', { phase: 'Aborted' }), on: stoppedRollout('Aborted') },
    Failed: { entry: op('askPostRollout', { phase: 'Failed' }), on: stoppedRollout('Failed') },
  },
});

export type CanaryMachine = typeof canaryMachine;
