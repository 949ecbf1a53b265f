import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder, type KubeClient, type KubeObject } from '../../src/kube/index.ts';
import { NS, canary } from './sim-helpers.ts';
import { startSim, type KubeSim } from '../support/index.ts';

let sim: KubeSim;
let client: KubeClient;
let involved: KubeObject;

beforeAll(async () => {
  ({ sim, client } = await startSim({ namespaces: [NS] }));
  involved = await client.create(canary('events'));
});
afterAll(async () => {
  await sim.stop();
});

interface CoreEvent extends KubeObject {
  count: number;
  reason: string;
  message: string;
  firstTimestamp: string;
  lastTimestamp: string;
  involvedObject: { kind: string; name: string; uid?: string };
}

async function eventsFor(name: string): Promise<CoreEvent[]> {
  const list = await client.list<CoreEvent>('v1', 'Event', { namespace: NS });
  return list.items.filter((e) => e.involvedObject.name === name);
}

describe('EventRecorder', () => {
  it('aggregates repeats of the same reason and message by bumping count and lastTimestamp', async () => {
    let t = Date.parse('2025-01-01T00:00:00Z');
    const recorder = new EventRecorder({
      client,
      component: 'serin',
      clock: { now: () => t, sleep: () => Promise.resolve() },
    });
    const spec = { type: 'Normal' as const, reason: 'WeightSet', message: 'canary weight 5%' };
    expect(await recorder.record(involved, spec)).toMatchObject({ kind: 'created', count: 1 });
    t += 60_000;
    await recorder.record(involved, spec);
    t += 60_000;
    expect(await recorder.record(involved, spec)).toMatchObject({ kind: 'aggregated', count: 3 });

    const events = (await eventsFor('events')).filter((e) => e.reason === 'WeightSet');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      count: 3,
      message: 'canary weight 5%',
      involvedObject: { kind: 'Canary', name: 'events', uid: involved.metadata.uid },
    });
    expect(Date.parse(events[0]!.lastTimestamp) - Date.parse(events[0]!.firstTimestamp)).toBe(120_000);
  });

  it('keeps different messages as different events', async () => {
    const recorder = new EventRecorder({ client, component: 'serin' });
    await recorder.record(involved, { type: 'Warning', reason: 'AnalysisFailed', message: 'error rate 5%' });
    await recorder.record(involved, { type: 'Warning', reason: 'AnalysisFailed', message: 'error rate 9%' });
    const failed = (await eventsFor('events')).filter((e) => e.reason === 'AnalysisFailed');
    expect(failed.map((e) => e.count)).toEqual([1, 1]);
  });

  it('continues the count after a restart (a new recorder finds the existing event)', async () => {
    const spec = { type: 'Normal' as const, reason: 'Paused', message: 'waiting for approval' };
    await new EventRecorder({ client, component: 'serin' }).record(involved, spec);
    const second = await new EventRecorder({ client, component: 'serin' }).record(involved, spec);
    expect(second).toMatchObject({ kind: 'aggregated', count: 2 });
  });

  it('does not lose counts when the same event is recorded concurrently', async () => {
    const recorder = new EventRecorder({ client, component: 'serin' });
    const spec = { type: 'Normal' as const, reason: 'Burst', message: 'many at once' };
    await Promise.all(Array.from({ length: 10 }, () => recorder.record(involved, spec)));
    const burst = (await eventsFor('events')).filter((e) => e.reason === 'Burst');
    expect(burst.map((e) => e.count)).toEqual([10]);
  });

  it('reports a failure as a value instead of throwing', async () => {
    sim.faults.failNext({ method: 'POST', path: `/api/v1/namespaces/${NS}/events`, count: 1, status: 500 });
    const recorder = new EventRecorder({ client, component: 'serin' });
    const result = await recorder.record(involved, { type: 'Normal', reason: 'Flaky', message: 'x' });
    expect(result).toMatchObject({ kind: 'failed' });
  });
});
