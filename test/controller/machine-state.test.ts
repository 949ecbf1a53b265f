import { afterEach, describe, expect, it } from 'vitest';
import { NS, startHarness, type Harness } from './harness.ts';
import { startRollout, status, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

const CANARY = { apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', namespace: NS, name: 'podinfo' };

async function machineVersion(h: Harness): Promise<unknown> {
  return ((await status(h)) as { machine?: { version?: unknown } }).machine?.version;
}

async function setMachineVersion(h: Harness, version: number): Promise<void> {
  await h.client.jsonPatch(CANARY, [{ op: 'replace', path: '/status/machine/version', value: version }], {
    subresource: 'status',
  });
}

describe('stored machine state the controller cannot read', () => {
  it('written by a newer serin, stalls the Canary with InvalidMachineState and moves nothing', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
    expect(await machineVersion(h)).toBe(1);

    await setMachineVersion(h, 2);
    h.clock.advance(120_000);
    await h.pass();
    const conditions = ((await status(h)) as { conditions?: Condition[] }).conditions ?? [];
    const stalled = conditions.find((c) => c.reason === 'InvalidMachineState');
    expect(stalled?.message).toContain('status.machine.version is 2; this serin reads versions up to 1');
    const events = await h.events();
    expect(events.some((e) => e.reason === 'InvalidMachineState' && e.type === 'Warning')).toBe(true);
    // The pause would have ended and the step moved on: it did not, and the state is kept for the newer serin.
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
    expect(await machineVersion(h)).toBe(2);

    // Back with a serin that reads it (here: the version put back), the rollout goes on from where it was.
    await setMachineVersion(h, 1);
    await h.pass();
    expect((await status(h)).currentStepIndex).toBe(2);
  });
});
