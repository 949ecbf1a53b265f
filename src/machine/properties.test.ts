import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanarySpec } from '../api/index.ts';
import { WEBHOOK_TYPES } from '../api/webhooks.ts';
import { advance, advanceSnapshot, initialMachine, initialSnapshot, persist } from './advance.ts';
import { describeSnapshot, type MachineStatus } from './describe.ts';
import { canarySpec } from './harness.ts';
import type { CanaryEvent, Effect, PersistedMachine } from './types.ts';

const RUNS = 1000;
/** 1,000 runs of up to 40 events each: generous, since CI machines are shared. */
const TIMEOUT = 180_000;

/** Events as generated: references to "the active run" or "the current step" are resolved when sent. */
type AbstractEvent =
  | { kind: 'NewRevision'; revision: string }
  | { kind: 'CanaryReady' | 'CanaryNotReady' | 'PrimaryReady' | 'SpecChanged' | 'Suspend' | 'Unsuspend' }
  | { kind: 'Tick'; ms: number }
  | {
      kind: 'Verdict';
      background: boolean;
      run: 'active' | 'stale';
      verdict: 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
      onError: 'Abort' | 'Pause' | undefined;
    }
  | { kind: 'Gate'; which: 'awaited' | 'rollback' | 'stale'; ok: boolean }
  | {
      kind: 'Approval';
      action: 'Promote' | 'PromoteFull' | 'Abort' | 'Retry' | 'Pause' | 'Resume';
      revision: 'current' | 'other';
      step: 'none' | 'current' | 'other';
    };

const stepArb = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map((setWeight) => ({ setWeight })),
  fc.constantFrom('0s', '10s', '1m', '10m').map((duration) => ({ pause: { duration } })),
  fc.constant({ pause: {} }),
  fc
    .record({
      templateName: fc.constantFrom('a', 'b'),
      onFailure: fc.constantFrom('Abort' as const, 'Pause' as const, undefined),
    })
    .map(({ templateName, onFailure }) => ({
      analysis: { templates: [{ templateName }], ...(onFailure === undefined ? {} : { onFailure }) },
    })),
);

const specArb: fc.Arbitrary<CanarySpec> = fc
  .record({
    steps: fc.array(stepArb, { minLength: 1, maxLength: 6 }),
    background: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    progressDeadlineSeconds: fc.integer({ min: 30, max: 900 }),
    skipAnalysis: fc.constantFrom(false, false, false, false, true),
    suspend: fc.constantFrom(false, false, false, false, true),
    onFailure: fc.constantFrom('Abort' as const, 'Pause' as const),
    backgroundOnFailure: fc.constantFrom('Abort' as const, 'Pause' as const, undefined),
    webhooks: fc.subarray([...WEBHOOK_TYPES]),
  })
  .map(({ background, backgroundOnFailure, webhooks, ...fields }) =>
    canarySpec({
      ...fields,
      webhooks: webhooks.map((type) => ({ name: type, type, url: `http://hooks.test/${type}` })),
      ...(background === undefined
        ? {}
        : {
            analysis: {
              templates: [{ templateName: 'bg' }],
              startingStep: background,
              ...(backgroundOnFailure === undefined ? {} : { onFailure: backgroundOnFailure }),
            },
          }),
    }),
  );

const eventArb: fc.Arbitrary<AbstractEvent> = fc.oneof(
  {
    arbitrary: fc
      .constantFrom('v1', 'v2', 'v3', 'stable')
      .map((revision) => ({ kind: 'NewRevision' as const, revision })),
    weight: 3,
  },
  // Weighted toward the observations that make a rollout progress, so that runs reach every phase.
  {
    arbitrary: fc
      .constantFrom(
        'CanaryReady',
        'CanaryReady',
        'PrimaryReady',
        'PrimaryReady',
        'CanaryNotReady',
        'SpecChanged',
        'Suspend',
        'Unsuspend',
      )
      .map((kind): AbstractEvent => ({ kind })),
    weight: 6,
  },
  { arbitrary: fc.integer({ min: 0, max: 300_000 }).map((ms) => ({ kind: 'Tick' as const, ms })), weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant('Verdict' as const),
      background: fc.boolean(),
      run: fc.constantFrom('active' as const, 'active' as const, 'active' as const, 'stale' as const),
      verdict: fc.constantFrom(
        'Successful' as const,
        'Failed' as const,
        'Inconclusive' as const,
        'Error' as const,
      ),
      onError: fc.constantFrom('Abort' as const, 'Pause' as const, undefined),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('Gate' as const),
      which: fc.constantFrom('awaited' as const, 'awaited' as const, 'rollback' as const, 'stale' as const),
      ok: fc.boolean(),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('Approval' as const),
      action: fc.constantFrom('Promote', 'PromoteFull', 'Abort', 'Retry', 'Pause', 'Resume'),
      revision: fc.constantFrom('current' as const, 'current' as const, 'other' as const),
      step: fc.constantFrom('none' as const, 'current' as const, 'other' as const),
    }),
    weight: 3,
  },
);

const scenarioArb = fc.record({
  spec: specArb,
  /** Most runs start from a Canary whose primary is ready; some from one still initialising. */
  initialised: fc.constantFrom(true, true, true, false),
  events: fc.array(eventArb, { minLength: 5, maxLength: 40, size: 'max' }),
});

/** Turns a generated event into a concrete one for the machine as it is now. */
function concrete(event: AbstractEvent, status: MachineStatus, clock: { now: number }): CanaryEvent {
  switch (event.kind) {
    case 'NewRevision':
      return { type: 'NewRevision', revision: event.revision };
    case 'Tick':
      clock.now += event.ms;
      return { type: 'Tick', now: clock.now };
    case 'Verdict': {
      const active = event.background ? status.backgroundRunId : status.stepRunId;
      const runId = event.run === 'active' && active !== undefined ? active : 'stale-r9-s9';
      return {
        type: event.background ? 'BackgroundAnalysisVerdict' : 'AnalysisVerdict',
        runId,
        verdict: event.verdict,
        ...(event.onError === undefined ? {} : { onError: event.onError }),
      };
    }
    case 'Gate': {
      const gates = status.gates ?? [];
      const gate =
        event.which === 'stale'
          ? undefined
          : gates.find((g) => (event.which === 'rollback') === (g.gate === 'rollback'));
      return { type: 'GateResult', gateId: gate?.gateId ?? 'stale-r9-confirm-rollout', ok: event.ok };
    }
    case 'Approval': {
      const step = status.currentStepIndex ?? 0;
      return {
        type: 'Approval',
        action: event.action,
        approver: 'prop',
        revision: event.revision === 'current' ? (status.revision ?? 'none') : 'other',
        ...(event.step === 'none' ? {} : { step: event.step === 'current' ? step : step + 7 }),
      };
    }
    case 'CanaryReady':
    case 'CanaryNotReady':
    case 'PrimaryReady':
    case 'SpecChanged':
    case 'Suspend':
    case 'Unsuspend':
      return { type: event.kind };
  }
}

interface Transition {
  readonly event: CanaryEvent;
  readonly before: MachineStatus;
  readonly after: MachineStatus;
  readonly effects: readonly Effect[];
  /** The rollout under way before the event: a revision released again is a new rollout. */
  readonly rollout: number;
}

/**
 * Runs a scenario from a new Canary, calling `check` after each event. It keeps the live snapshot:
 * the persistence property below shows the persisted path gives the same states and effects.
 */
function play(
  { spec, initialised, events }: { spec: CanarySpec; initialised: boolean; events: readonly AbstractEvent[] },
  check: (t: Transition) => void,
): void {
  let snapshot = initialSnapshot(spec, 0, { revision: 'stable' }).snapshot;
  if (initialised) snapshot = advanceSnapshot(snapshot, spec, { type: 'PrimaryReady' }).snapshot;
  const clock = { now: 0 };
  let before = describeSnapshot(snapshot, spec);
  for (const abstract of events) {
    const event = concrete(abstract, before, clock);
    const rollout = snapshot.context.rollout;
    const step = advanceSnapshot(snapshot, spec, event);
    snapshot = step.snapshot;
    const after = describeSnapshot(snapshot, spec);
    check({ event, before, after, effects: step.effects, rollout });
    before = after;
  }
}

/** The event is the rollback gate's 2xx for the rollout under way. */
const rollbackAnswered = (t: Transition) =>
  t.event.type === 'GateResult' && t.event.ok && t.event.gateId.endsWith('-rollback');

const applied = (t: Transition, action: string) =>
  t.effects.some(
    (e) => e.type === 'recordApproval' && e.result === 'Applied' && e.approval.action === action,
  );

/**
 * Which phases the generated scenarios reached while a property was checked: a property over
 * scenarios that never pause, abort or succeed would pass without checking anything there.
 */
function phaseCoverage() {
  const counts = new Map<string, number>();
  return {
    note(phase: string): void {
      counts.set(phase, (counts.get(phase) ?? 0) + 1);
    },
    /** Asserts the scenarios reached Paused, Aborted and Succeeded at least once each. */
    expectReached(): void {
      const reached = Object.fromEntries(
        ['Paused', 'Aborted', 'Succeeded'].map((phase) => [phase, counts.get(phase) ?? 0]),
      );
      for (const [phase, count] of Object.entries(reached))
        expect(count, `${phase} reached`).toBeGreaterThan(0);
    },
  };
}

describe('properties over random events and clocks', () => {
  it(
    'weights always sum to 100 and stay within 0..100',
    () => {
      const coverage = phaseCoverage();
      let weightWrites = 0;
      fc.assert(
        fc.property(scenarioArb, (scenario) => {
          play(scenario, (t) => {
            coverage.note(t.after.phase);
            for (const effect of t.effects) {
              if (effect.type !== 'setWeights') continue;
              weightWrites += 1;
              expect(effect.primary + effect.canary).toBe(100);
              expect(Number.isInteger(effect.canary) && effect.canary >= 0 && effect.canary <= 100).toBe(
                true,
              );
            }
            expect(t.after.canaryWeight >= 0 && t.after.canaryWeight <= 100).toBe(true);
          });
        }),
        { numRuns: RUNS },
      );
      coverage.expectReached();
      expect(weightWrites).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it(
    'after Aborted, no effect raises the canary weight above 0 until a new revision or Retry',
    () => {
      const coverage = phaseCoverage();
      let seen = 0;
      fc.assert(
        fc.property(scenarioArb, (scenario) => {
          play(scenario, (t) => {
            coverage.note(t.after.phase);
            if (t.before.phase !== 'Aborted') return;
            const restarted = t.after.revision !== t.before.revision || t.after.attempt !== t.before.attempt;
            if (restarted) return;
            seen += 1;
            expect(t.effects.filter((e) => e.type === 'setWeights' && e.canary > 0)).toEqual([]);
            expect(t.after.canaryWeight).toBe(0);
            expect(t.after.phase).toBe('Aborted');
          });
        }),
        { numRuns: RUNS },
      );
      coverage.expectReached();
      expect(seen).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it(
    'paused by a Failed analysis (onFailure Pause), the canary keeps weight 0 and its pods until Retry, Abort, PromoteFull or a new revision',
    () => {
      const coverage = phaseCoverage();
      let seen = 0;
      fc.assert(
        fc.property(scenarioArb, (scenario) => {
          play(scenario, (t) => {
            coverage.note(t.after.phase);
            if (t.before.phase !== 'Paused' || t.before.pauseReason !== 'AnalysisFailed') return;
            seen += 1;
            const sameRollout =
              t.after.revision === t.before.revision && t.after.attempt === t.before.attempt;
            // A rollback webhook's 2xx is an abort too (by a machine, not a person).
            const rollbackAsked = t.after.phase === 'Aborted' && rollbackAnswered(t);
            if (!sameRollout || applied(t, 'Abort') || applied(t, 'PromoteFull') || rollbackAsked) return;
            expect(t.effects.filter((e) => e.type === 'setWeights' && e.canary > 0)).toEqual([]);
            expect(
              t.effects.filter((e) => e.type === 'scaleCanaryDownAfter' || e.type === 'scaleCanary'),
            ).toEqual([]);
            expect(t.after.canaryWeight).toBe(0);
            expect(t.after).toMatchObject({ phase: 'Paused', pauseReason: 'AnalysisFailed' });
          });
        }),
        { numRuns: RUNS },
      );
      // The generator reaches the rule it checks.
      coverage.expectReached();
      expect(seen).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it(
    'Succeeded is never reached for an attempt that had a Failed verdict unless PromoteFull was approved after it',
    () => {
      const coverage = phaseCoverage();
      let succeeded = 0;
      let failedVerdicts = 0;
      fc.assert(
        fc.property(scenarioArb, (scenario) => {
          const failed = new Set<string>();
          play(scenario, (t) => {
            coverage.note(t.after.phase);
            const key = `${t.before.revision ?? ''}#${t.rollout}`;
            const isVerdict =
              t.event.type === 'AnalysisVerdict' || t.event.type === 'BackgroundAnalysisVerdict';
            if (isVerdict && t.event.verdict === 'Failed' && t.before.activeRunIds.includes(t.event.runId)) {
              failed.add(key);
              failedVerdicts += 1;
            }
            if (applied(t, 'PromoteFull')) failed.delete(key);
            if (t.effects.some((e) => e.type === 'notify' && e.kind === 'Succeeded')) {
              succeeded += 1;
              expect(failed.has(key)).toBe(false);
            }
          });
        }),
        { numRuns: RUNS },
      );
      // Both sides of the rule happen: rollouts succeed, and attempts get Failed verdicts. A
      // PromoteFull applied after a Failed verdict is not generated (1,000 runs reach none), so the
      // rule's exception is not exercised here.
      coverage.expectReached();
      expect(succeeded).toBeGreaterThan(0);
      expect(failedVerdicts).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it(
    'no two rollouts share a run id: a revision released again measures again',
    () => {
      let reReleased = 0;
      let runsStarted = 0;
      fc.assert(
        fc.property(scenarioArb, (scenario) => {
          const started = new Map<string, number>();
          const revisionsSeen = new Set<string>();
          play(scenario, (t) => {
            for (const effect of t.effects) {
              if (effect.type !== 'startAnalysis') continue;
              const rollout = started.get(effect.runId);
              // The controller never starts a run whose id is in status: a reused id would hand the
              // new rollout the old rollout's verdict without measuring.
              expect(rollout, `run ${effect.runId} started again`).toBeUndefined();
              started.set(effect.runId, t.rollout);
              runsStarted += 1;
            }
            const revision = t.after.revision;
            if (revision !== undefined && t.after.attempt === 1 && t.rollout !== 0) {
              if (revisionsSeen.has(`${revision}#${String(t.rollout)}`)) return;
              const earlier = [...revisionsSeen].some((key) => key.startsWith(`${revision}#`));
              if (earlier) reReleased += 1;
              revisionsSeen.add(`${revision}#${String(t.rollout)}`);
            }
          });
        }),
        { numRuns: RUNS },
      );
      // The scenarios must actually release a revision again, or the property proves nothing.
      expect(reReleased).toBeGreaterThan(0);
      expect(runsStarted).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it(
    'Paused never advances without an approval or a passing verdict',
    () => {
      const coverage = phaseCoverage();
      let advancedByApproval = 0;
      fc.assert(
        fc.property(scenarioArb, (scenario) => {
          play(scenario, (t) => {
            coverage.note(t.after.phase);
            if (t.before.phase !== 'Paused') return;
            const sameRollout =
              t.after.revision === t.before.revision && t.after.attempt === t.before.attempt;
            if (!sameRollout) return; // a new revision restarts; it does not advance the old one
            const approved = ['Promote', 'Resume', 'PromoteFull'].some((action) => applied(t, action));
            const advanced =
              ['Progressing', 'Promoting', 'Succeeded'].includes(t.after.phase) ||
              (t.after.currentStepIndex ?? 0) > (t.before.currentStepIndex ?? 0) ||
              t.after.canaryWeight > t.before.canaryWeight;
            if (!advanced) return;
            advancedByApproval += 1;
            expect(approved).toBe(true);
          });
        }),
        { numRuns: RUNS },
      );
      // Paused rollouts were seen, and some were approved on: the rule was exercised both ways.
      coverage.expectReached();
      expect(advancedByApproval).toBeGreaterThan(0);
    },
    TIMEOUT,
  );
});

describe('properties of the webhook gates', () => {
  const sameRollout = (t: Transition) =>
    t.after.revision === t.before.revision && t.after.attempt === t.before.attempt;

  it(
    'a rollout never advances past a confirm gate without a 2xx for it (or a PromoteFull)',
    () => {
      let seen = 0;
      fc.assert(
        fc.property(scenarioArb, (scenario) => {
          play(scenario, (t) => {
            const confirm = (t.before.gates ?? []).find((g) => g.gate.startsWith('confirm-'));
            if (confirm === undefined || !sameRollout(t)) return;
            seen += 1;
            const advanced =
              t.effects.some((e) => e.type === 'setWeights' && e.canary > t.before.canaryWeight) ||
              ['Promoting', 'Succeeded'].includes(t.after.phase) ||
              (t.after.currentStepIndex ?? 0) > (t.before.currentStepIndex ?? 0);
            if (!advanced) return;
            const confirmed =
              t.event.type === 'GateResult' && t.event.ok && t.event.gateId === confirm.gateId;
            expect(confirmed || applied(t, 'PromoteFull')).toBe(true);
          });
        }),
        { numRuns: RUNS },
      );
      expect(seen).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it(
    'a rollback 2xx always leads to canary weight 0 (Aborted)',
    () => {
      let seen = 0;
      fc.assert(
        fc.property(scenarioArb, (scenario) => {
          play(scenario, (t) => {
            const rollback = (t.before.gates ?? []).find((g) => g.gate === 'rollback');
            if (rollback === undefined || t.event.type !== 'GateResult') return;
            if (!t.event.ok || t.event.gateId !== rollback.gateId) return;
            seen += 1;
            expect(t.after).toMatchObject({ phase: 'Aborted', canaryWeight: 0 });
            expect(t.effects.flatMap((e) => (e.type === 'setWeights' ? [e.canary] : []))).toEqual([0]);
          });
        }),
        { numRuns: RUNS },
      );
      expect(seen).toBeGreaterThan(0);
    },
    TIMEOUT,
  );
});

/**
 * What the API server keeps of a state the controller writes: status is written with a JSON merge
 * patch, and a merge patch removes every key whose value is null, at any depth (RFC 7386).
 */
function asStored(state: PersistedMachine): PersistedMachine {
  return JSON.parse(JSON.stringify(state), (_key, value: unknown) =>
    value === null ? undefined : value,
  ) as PersistedMachine;
}

describe('persistence', () => {
  it(
    'restoring after every event, from what a merge patch stores, gives the same states and effects as never stopping',
    () => {
      const coverage = phaseCoverage();
      fc.assert(
        fc.property(scenarioArb, ({ spec, initialised, events }) => {
          let live = initialSnapshot(spec, 0, { revision: 'stable' }).snapshot;
          let saved = asStored(initialMachine(spec, 0, { revision: 'stable' }).state);
          const prefix: AbstractEvent[] = initialised ? [{ kind: 'PrimaryReady' }] : [];
          const clock = { now: 0 };
          for (const abstract of [...prefix, ...events]) {
            const event = concrete(abstract, describeSnapshot(live, spec), clock);
            const uninterrupted = advanceSnapshot(live, spec, event);
            const restored = advance(saved, spec, event);
            expect(restored.effects).toEqual(uninterrupted.effects);
            expect(restored.state).toEqual(persist(uninterrupted.snapshot));
            live = uninterrupted.snapshot;
            saved = asStored(restored.state);
            coverage.note(describeSnapshot(live, spec).phase);
          }
        }),
        { numRuns: RUNS },
      );
      coverage.expectReached();
    },
    TIMEOUT,
  );
});
