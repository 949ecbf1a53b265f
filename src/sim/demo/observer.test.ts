import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../../kube/index.ts';
import { DemoError } from './errors.ts';
import { startObserver } from './observer.ts';

const CANARY = {
  apiVersion: 'serin.dev/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace: 'demo' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    service: { name: 'podinfo', port: 9898 },
    trafficRouting: { istio: { virtualServices: [{ name: 'podinfo' }] } },
    steps: [{ setWeight: 10 }, { pause: {} }],
  },
  status: { phase: 'Progressing', currentStepIndex: 0, canaryWeight: 10, message: 'moving' },
};

/** Only the reads the observer makes. */
const client = {
  find: () => Promise.resolve(CANARY),
  list: () => Promise.resolve({ items: [], resourceVersion: '1' }),
} as unknown as KubeClient;

describe('observer', () => {
  it('hands each fresh view to the display', async () => {
    const phases: string[] = [];
    const observer = startObserver({
      client,
      namespace: 'demo',
      name: 'podinfo',
      intervalMs: 5,
      onView: (v) => phases.push(v.phase),
    });
    const seen = await observer.waitFor('Progressing', ({ view }) => view.phase === 'Progressing', {
      timeoutMs: 1_000,
      signal: new AbortController().signal,
    });
    await observer.stop();
    expect(seen.view.weights).toEqual({ primary: 90, canary: 10 });
    expect(phases).toContain('Progressing');
  });

  it('a wait that times out says what it waited for and where the Canary stood', async () => {
    const observer = startObserver({
      client,
      namespace: 'demo',
      name: 'podinfo',
      intervalMs: 5,
      onView: () => undefined,
    });
    const waiting = observer.waitFor('the Canary to succeed', ({ view }) => view.phase === 'Succeeded', {
      timeoutMs: 100,
      signal: new AbortController().signal,
    });
    await expect(waiting).rejects.toThrow(
      'timed out after 0s waiting for the Canary to succeed; last seen: phase Progressing, step 1/2, canary weight 10%, "moving"',
    );
    await expect(waiting).rejects.toMatchObject({ code: 'Timeout' });
    await observer.stop();
  });

  it('a wait ends as Interrupted as soon as the signal fires', async () => {
    const observer = startObserver({
      client,
      namespace: 'demo',
      name: 'podinfo',
      intervalMs: 5,
      onView: () => undefined,
    });
    const abort = new AbortController();
    const waiting = observer.waitFor('never', () => false, { timeoutMs: 60_000, signal: abort.signal });
    abort.abort();
    const error: unknown = await waiting.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DemoError);
    expect((error as DemoError).code).toBe('Interrupted');
    await observer.stop();
  });
});
