import { describe, expect, it } from 'vitest';
import type { CanaryStatus, CanaryStep } from '../api/index.ts';
import { waitingFor, type WaitingInput } from './waiting.ts';

const STEPS: CanaryStep[] = [
  { setWeight: 10 },
  { pause: { duration: '5m' } },
  { analysis: { templates: [{ templateName: 'success-rate' }] } },
  { pause: {} },
];
const NOW = Date.parse('2026-11-22T12:00:00Z');

function canary(status: CanaryStatus, suspend = false): WaitingInput {
  return {
    metadata: { name: 'web', namespace: 'shop' },
    spec: { steps: STEPS, suspend, targetRef: { name: 'web' } },
    status,
  };
}

describe('waitingFor', () => {
  it('at a pause {} step, waits for an approval and offers promote, then abort', () => {
    const waiting = waitingFor(canary({ phase: 'Paused', pauseReason: 'Manual', currentStepIndex: 3 }), NOW);
    expect(waiting).toEqual({
      short: 'approval',
      text: 'an approval to continue (a pause {} step)',
      commands: ['serin promote web -n shop', 'serin abort web -n shop'],
    });
  });

  it('after an inconclusive analysis, asks a person to decide', () => {
    const waiting = waitingFor(
      canary({ phase: 'Paused', pauseReason: 'InconclusiveAnalysis', currentStepIndex: 2 }),
      NOW,
    );
    expect([waiting.short, waiting.commands]).toEqual([
      'decision',
      ['serin promote web -n shop', 'serin abort web -n shop'],
    ]);
  });

  it('after a failed analysis (onFailure Pause), offers retry first, then abort, then an override with a reason', () => {
    const waiting = waitingFor(
      canary({ phase: 'Paused', pauseReason: 'AnalysisFailed', currentStepIndex: 2 }),
      NOW,
    );
    expect(waiting.commands).toEqual([
      'serin retry web -n shop',
      'serin abort web -n shop',
      'serin promote web -n shop --full --reason "…"',
    ]);
  });

  it('paused by an Approval away from a pause {} step, offers resume', () => {
    const waiting = waitingFor(canary({ phase: 'Paused', pauseReason: 'Manual', currentStepIndex: 0 }), NOW);
    expect(waiting.commands[0]).toBe('serin resume web -n shop');
  });

  it('counts a timed pause down from the step’s start', () => {
    const started = new Date(NOW - 60_000).toISOString();
    const waiting = waitingFor(
      canary({ phase: 'Progressing', currentStepIndex: 1, stepStartedAt: started }),
      NOW,
    );
    expect([waiting.short, waiting.text]).toEqual(['pause 4m', 'a timed pause of 5m (4m left)']);
  });

  it('at a setWeight step, waits for the canary pods until the weight is set', () => {
    expect(
      waitingFor(canary({ phase: 'Progressing', currentStepIndex: 0, canaryWeight: 0 }), NOW).short,
    ).toBe('canary ready');
    expect(
      waitingFor(canary({ phase: 'Progressing', currentStepIndex: 0, canaryWeight: 10 }), NOW).short,
    ).toBe('next step');
  });

  it('while suspended, waits for spec.suspend whatever the step', () => {
    expect(waitingFor(canary({ phase: 'Progressing', currentStepIndex: 2 }, true), NOW).short).toBe(
      'unsuspend',
    );
  });

  it('after an abort, offers retry; when Idle, nothing', () => {
    expect(waitingFor(canary({ phase: 'Aborted' }), NOW).commands).toEqual(['serin retry web -n shop']);
    expect(waitingFor(canary({ phase: 'Idle' }), NOW)).toMatchObject({ short: '-', commands: [] });
  });
});
