import { describe, expect, it } from 'vitest';
import type { CanarySpecInput } from '../api/index.ts';
import type { WebhookInput, WebhookType } from '../api/webhooks.ts';
import { advance, restore } from './advance.ts';
import { canarySpec, Harness } from './harness.ts';
import type { CanaryEvent, Effect, PersistedMachine } from './types.ts';

function hook(type: WebhookType, name: string = type): WebhookInput {
  return { name, type, url: `http://hooks.test/${name}` };
}

function specWith(types: WebhookType[], fields: Partial<CanarySpecInput> = {}) {
  return canarySpec({
    steps: [{ setWeight: 20 }, { pause: { duration: '1m' } }, { setWeight: 50 }],
    webhooks: types.map((type) => hook(type)),
    ...fields,
  });
}

const ok = (gateId: string, message?: string): CanaryEvent => ({
  type: 'GateResult',
  gateId,
  ok: true,
  ...(message === undefined ? {} : { message }),
});
const notOk = (gateId: string, message = 'HTTP 403'): CanaryEvent => ({
  type: 'GateResult',
  gateId,
  ok: false,
  message,
});

const calls = (effects: readonly Effect[]) =>
  effects.filter((e): e is Extract<Effect, { type: 'callGate' }> => e.type === 'callGate');
const canaryWeights = (effects: readonly Effect[]) =>
  effects.flatMap((e) => (e.type === 'setWeights' ? [e.canary] : []));

/** v2 rolled out through every step (a 1m pause), its rollout gates passed as they come. */
function throughSteps(h: Harness): void {
  h.send(ok('v2-r1-s0-rollout'));
  h.tick(60_000);
  h.send(ok('v2-r1-s1-rollout'));
  // A setWeight step is done at the first look after its weight is set.
  h.tick(1);
  h.send(ok('v2-r1-s2-rollout'));
}

describe('webhook gates', () => {
  it('confirm-rollout: the first step waits at canary weight 0 until the gate answers 2xx', () => {
    const h = new Harness(specWith(['confirm-rollout']));
    const effects = h.rollOut('v2');
    expect(calls(effects)).toEqual([
      {
        type: 'callGate',
        gateId: 'v2-r1-confirm-rollout',
        gate: 'confirm-rollout',
        revision: 'v2',
        step: 0,
        phase: 'Progressing',
      },
    ]);
    expect(canaryWeights(effects)).toEqual([]);
    expect(h.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    expect(h.status.stepStartedAt).toBeUndefined();
    expect(h.status.message).toContain('waiting for the confirm-rollout webhook gate');
    expect((h.status.gates ?? []).map((g) => g.gateId)).toEqual(['v2-r1-confirm-rollout']);

    expect(canaryWeights(h.send(ok('v2-r1-confirm-rollout')))).toEqual([20]);
    expect(h.status.gates).toBeUndefined();
  });

  it('confirm-rollout: a non-2xx answer holds the rollout, says so once per new answer, and is asked again', () => {
    const h = new Harness(specWith(['confirm-rollout']));
    h.rollOut('v2');
    const first = h.send(notOk('v2-r1-confirm-rollout', 'approve: HTTP 403'));
    expect(first.flatMap((e) => (e.type === 'emitEvent' ? [e.reason] : []))).toEqual(['WaitingForWebhook']);
    expect(h.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    expect(h.status.message).toContain('last answer: approve: HTTP 403');
    // The same answer again (a later pass) changes nothing and says nothing.
    expect(h.send(notOk('v2-r1-confirm-rollout', 'approve: HTTP 403'))).toEqual([]);
    // The gate stays awaited, so the controller asks again.
    expect((h.status.gates ?? []).map((g) => g.gateId)).toEqual(['v2-r1-confirm-rollout']);
  });

  it('confirm-rollout: time spent waiting is not held against the readiness deadline', () => {
    const h = new Harness(specWith(['confirm-rollout'], { progressDeadlineSeconds: 60 }));
    h.send({ type: 'NewRevision', revision: 'v2' });
    h.tick(3_600_000);
    expect(h.phase).toBe('Progressing');
    h.send(ok('v2-r1-confirm-rollout'));
    h.tick(59_000);
    expect(h.phase).toBe('Progressing');
    h.tick(2_000);
    expect(h.phase).toBe('Failed');
  });

  it('pre-rollout: asked after confirm-rollout passes and before the first step; a non-2xx aborts at weight 0', () => {
    const h = new Harness(specWith(['confirm-rollout', 'pre-rollout']));
    h.rollOut('v2');
    expect(calls(h.send(ok('v2-r1-confirm-rollout'))).map((c) => c.gateId)).toEqual(['v2-r1-pre-rollout']);
    expect(h.status.canaryWeight).toBe(0);
    const effects = h.send(notOk('v2-r1-pre-rollout', 'smoke: HTTP 500 after 3 attempts'));
    expect(h.status).toMatchObject({ phase: 'Aborted', canaryWeight: 0 });
    expect(canaryWeights(effects)).toEqual([0]);
    expect(effects).toContainEqual(expect.objectContaining({ type: 'emitEvent', reason: 'WebhookFailed' }));
    expect(h.status.message).toContain('smoke: HTTP 500 after 3 attempts');
  });

  it('rollout: each step ends only after its rollout gate answers 2xx; the gate is asked once the step is otherwise done', () => {
    const h = new Harness(specWith(['rollout']));
    const entered = h.rollOut('v2');
    expect(canaryWeights(entered)).toEqual([20]);
    expect(calls(entered).map((c) => c.gateId)).toEqual(['v2-r1-s0-rollout']);
    h.tick(120_000);
    expect(h.status.currentStepIndex).toBe(0);
    h.send(ok('v2-r1-s0-rollout'));
    expect(h.status.currentStepIndex).toBe(1);
    // The pause is not over: no gate yet.
    expect(h.status.gates).toBeUndefined();
    expect(calls(h.tick(60_000)).map((c) => c.gateId)).toEqual(['v2-r1-s1-rollout']);
    expect(canaryWeights(h.send(ok('v2-r1-s1-rollout')))).toEqual([50]);
    expect(calls(h.tick(1)).map((c) => c.gateId)).toEqual(['v2-r1-s2-rollout']);
    expect(h.phase).toBe('Progressing');
    h.send(ok('v2-r1-s2-rollout'));
    expect(h.phase).toBe('Promoting');
  });

  it('rollout: a failed rollout gate is a failed check: onFailure Abort aborts at weight 0', () => {
    const h = new Harness(specWith(['rollout']));
    h.rollOut('v2');
    h.send(notOk('v2-r1-s0-rollout', 'load-test: HTTP 500'));
    expect(h.status).toMatchObject({ phase: 'Aborted', canaryWeight: 0 });
  });

  it('rollout: under onFailure Pause a failed rollout gate pauses at weight 0 (AnalysisFailed); Retry asks again with new ids', () => {
    const h = new Harness(specWith(['rollout'], { onFailure: 'Pause' }));
    h.rollOut('v2');
    h.send(notOk('v2-r1-s0-rollout'));
    expect(h.status).toMatchObject({ phase: 'Paused', pauseReason: 'AnalysisFailed', canaryWeight: 0 });
    h.approve({ action: 'Retry', revision: 'v2' });
    expect(calls(h.send({ type: 'CanaryReady' })).map((c) => c.gateId)).toEqual(['v2-r2-s0-rollout']);
  });

  it('confirm-promotion: Promoting waits for a 2xx while the canary keeps its weight and analysis can still abort', () => {
    const spec = specWith(['rollout', 'confirm-promotion'], {
      analysis: { templates: [{ templateName: 'bg' }] },
    });
    const h = new Harness(spec);
    h.rollOut('v2');
    throughSteps(h);
    expect(h.status).toMatchObject({ phase: 'Progressing', canaryWeight: 50 });
    expect((h.status.gates ?? []).map((g) => g.gateId)).toEqual(['v2-r1-confirm-promotion']);
    h.send(notOk('v2-r1-confirm-promotion'));
    h.tick(600_000);
    expect(h.status).toMatchObject({ phase: 'Progressing', canaryWeight: 50 });
    h.send({ type: 'BackgroundAnalysisVerdict', runId: 'v2-r1-bg', verdict: 'Failed' });
    expect(h.status).toMatchObject({ phase: 'Aborted', canaryWeight: 0 });

    const again = new Harness(spec);
    again.rollOut('v2');
    throughSteps(again);
    again.send(ok('v2-r1-confirm-promotion'));
    expect(again.phase).toBe('Promoting');
  });

  it('post-rollout: told after Succeeded and after Aborted with the phase, and nothing waits for it', () => {
    const h = new Harness(specWith(['post-rollout'], { steps: [{ setWeight: 20 }] }));
    h.rollOut('v2');
    h.tick(1);
    const promoted = h.send({ type: 'PrimaryReady' });
    expect(h.phase).toBe('Succeeded');
    expect(calls(promoted)).toEqual([
      expect.objectContaining({ gateId: 'v2-r1-post-rollout', gate: 'post-rollout', phase: 'Succeeded' }),
    ]);
    expect(h.status.gates).toBeUndefined();

    h.rollOut('v3');
    const aborted = h.approve({ action: 'Abort', revision: 'v3' });
    expect(calls(aborted)).toEqual([
      expect.objectContaining({ gateId: 'v3-r2-post-rollout', phase: 'Aborted' }),
    ]);
  });

  it('rollback: polled while Progressing or Paused; a 2xx aborts at canary weight 0, other answers change nothing', () => {
    const h = new Harness(
      specWith(['rollback'], { steps: [{ setWeight: 20 }, { pause: { duration: '1m' } }, { pause: {} }] }),
    );
    h.rollOut('v2');
    expect(h.status.gates).toEqual([
      { gateId: 'v2-r1-rollback', gate: 'rollback', revision: 'v2', step: 1, phase: 'Progressing' },
    ]);
    expect(h.send(notOk('v2-r1-rollback', 'HTTP 404'))).toEqual([]);
    h.tick(60_000);
    expect(h.status).toMatchObject({ phase: 'Paused', canaryWeight: 20 });
    expect((h.status.gates ?? []).map((g) => g.gateId)).toEqual(['v2-r1-rollback']);
    const effects = h.send(ok('v2-r1-rollback', 'incident-bot: HTTP 200'));
    expect(canaryWeights(effects)).toEqual([0]);
    expect(h.status).toMatchObject({ phase: 'Aborted', canaryWeight: 0 });
    expect(effects).toContainEqual(
      expect.objectContaining({ type: 'emitEvent', reason: 'RollbackRequested' }),
    );
    expect(h.status.gates).toBeUndefined();
  });

  it('an answer for a gate that is not awaited (another rollout, another step) changes nothing', () => {
    const h = new Harness(specWith(['confirm-rollout', 'rollback']));
    h.rollOut('v2');
    const before = h.state;
    for (const id of [
      'v1-r1-confirm-rollout',
      'v2-r0-confirm-rollout',
      'v2-r1-s0-rollout',
      'v2-r0-rollback',
    ]) {
      expect(h.send(ok(id))).toEqual([]);
    }
    expect(h.state).toEqual(before);
  });

  it('gates never block a rollback: an Abort or a return to stable ends a rollout that waits on a gate', () => {
    const h = new Harness(specWith(['confirm-promotion'], { steps: [{ setWeight: 30 }] }));
    h.rollOut('v2');
    h.tick(1);
    expect((h.status.gates ?? []).map((g) => g.gate)).toEqual(['confirm-promotion']);
    h.approve({ action: 'Abort', revision: 'v2' });
    expect(h.status).toMatchObject({ phase: 'Aborted', canaryWeight: 0 });
    expect(h.status.gates).toBeUndefined();

    const back = new Harness(specWith(['confirm-rollout']));
    back.rollOut('v2');
    back.send({ type: 'NewRevision', revision: 'stable' });
    expect(back.status).toMatchObject({ phase: 'Idle', canaryWeight: 0 });
    expect(back.status.gates).toBeUndefined();
  });

  it('a persisted gate restores awaiting the same id, and state saved before gates existed restores without one', () => {
    const spec = specWith(['confirm-rollout']);
    const h = new Harness(spec);
    h.rollOut('v2');
    const saved = JSON.parse(JSON.stringify(h.state)) as PersistedMachine;
    expect(advance(saved, spec, ok('v2-r1-confirm-rollout')).effects).toContainEqual(
      expect.objectContaining({ type: 'setWeights', canary: 20 }),
    );

    const plain = new Harness(canarySpec());
    plain.rollOut('v2');
    const { gate: _g, gatesPassed: _p, ...old } = plain.state.context;
    const restored = restore({ value: plain.state.value, context: old }, canarySpec());
    expect(restored.context).toMatchObject({ gate: null, gatesPassed: [] });
  });

  it('skipAnalysis skips every gate but post-rollout', () => {
    const h = new Harness(
      specWith(['confirm-rollout', 'pre-rollout', 'rollout', 'confirm-promotion', 'rollback'], {
        skipAnalysis: true,
      }),
    );
    const effects = h.rollOut('v2');
    expect(calls(effects)).toEqual([]);
    expect(h.phase).toBe('Promoting');
  });

  it('removing the webhooks of an awaited gate from the spec lets the rollout go on', () => {
    const h = new Harness(specWith(['confirm-rollout']));
    h.rollOut('v2');
    h.spec = specWith([]);
    expect(canaryWeights(h.send({ type: 'SpecChanged' }))).toEqual([20]);
  });
});
