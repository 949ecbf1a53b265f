/**
 * API faults (issue 17, part 1): in-process controllers, each authenticated as its own user, take a
 * rollout each (10% → 1 s → 50% → 1 s → promote) while the simulator answers that user's requests with
 * one fault family for 4 s: 409 storms, 500, 503, 429 with Retry-After, slow responses, and (for every
 * client) watch drops and 410 Gone on watch resume. Then the lease lost in the middle of a pass: the
 * leader's renewals hang while its VirtualService write is slow, a second replica takes the Lease once
 * it expires, and every write the first sends after it stopped leading is counted (goal 0).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/sim/kube/audit.ts';
import { startStack, type Stack } from '../../src/sim/stack.ts';
import { leaseHolder } from '../harness/controller-process.ts';
import { FAULT_FAMILIES, startUserController, type FaultFamily, type UserController } from './api-world.ts';
import { recordFigures, soakCount } from './figures.ts';
import { stepsTakenTwice } from './kill9-oracles.ts';
import { addService, Observer, sleep, type Snapshot, type SoakService } from './world.ts';

const ROUNDS = soakCount({ full: 5, reduced: 1 });
const FAULT_MS = 4_000;
const STEPS = [
  { setWeight: 10 },
  { pause: { duration: '1s' } },
  { setWeight: 50 },
  { pause: { duration: '1s' } },
];

let stack: Stack;
const controllers: UserController[] = [];

beforeAll(async () => {
  stack = await startStack({ prometheus: false });
}, 60_000);
afterAll(async () => {
  await Promise.all(controllers.map((c) => c.controller.stop()));
  await stack.stop();
});

async function until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await sleep(25);
  }
}

const isWrite = (e: AuditRecord): boolean =>
  e.kind === 'resource' && ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(e.verb);

interface Outcome {
  family: string;
  right: boolean;
  why: string;
  passes: number;
  weightWrites: number;
  duplicates: string[];
}

/** Duplicate effects in one rollout's snapshots: steps taken twice, a weight sequence other than 10 → 50, more than one promotion. */
function duplicateEffects(history: readonly Snapshot[]): string[] {
  const found = [...stepsTakenTwice(history).examples];
  const weights: number[] = [];
  for (const s of history) if (s.weight > 0 && weights.at(-1) !== s.weight) weights.push(s.weight);
  if (weights.join(',') !== '10,50') {
    // Where each change was seen, so a report says what happened between the samples.
    const from = history[0]?.at ?? 0;
    const seen = history.map((s) => `+${s.at - from}ms ${s.phase}@${s.step ?? '-'}:${s.weight}`).join(', ');
    found.push(`canary weights ${weights.join(' → ')} (expected 10 → 50); seen: ${seen}`);
  }
  const primaries: string[] = [];
  for (const s of history) if (primaries.at(-1) !== s.primary) primaries.push(s.primary);
  if (primaries.length !== 2) found.push(`primary images ${primaries.join(' → ')} (expected one promotion)`);
  return found;
}

async function rollout(
  entry: { family: FaultFamily; svc: SoakService; ctl: UserController; observer: Observer },
  round: number,
): Promise<Outcome> {
  const { family, svc, ctl, observer } = entry;
  const image = `podinfo:api-${round}`;
  const passesBefore = await ctl.passes();
  const auditFrom = stack.sim.audit.entries().length;
  const releasedAt = Date.now();
  const stopFault = family.start(stack.sim, ctl.user);
  await svc.release(image, 0);
  await sleep(FAULT_MS);
  stopFault();
  const end = await until(() => {
    const s = svc.status();
    return s.phase === 'Succeeded' && svc.image('podinfo-primary') === image ? s : undefined;
  }, 60_000);
  const passes = (await ctl.passes()) - passesBefore;
  observer.sample();
  const history = observer.history(svc.ns).filter((s) => s.at >= releasedAt - 50);
  const weightWrites = stack.sim.audit
    .entries()
    .slice(auditFrom)
    .filter(
      (e) => isWrite(e) && e.user === ctl.user && e.kind === 'resource' && e.resource === 'virtualservices',
    ).length;
  const status = svc.status();
  return {
    family: family.name,
    right: end !== undefined && svc.canaryWeight() === 0,
    why: `${status.phase ?? '-'} ${status.message ?? ''}, primary ${svc.image('podinfo-primary')}, weight ${svc.canaryWeight()}`,
    passes,
    weightWrites,
    duplicates: duplicateEffects(history),
  };
}

describe('API faults soak', () => {
  it(`converges through each fault family (${ROUNDS} round(s)), with no duplicate effect`, async () => {
    const entries = [];
    for (const [i, family] of FAULT_FAMILIES.entries()) {
      const ns = `api-${i}`;
      const svc = await addService(stack, { ns, steps: STEPS, rps: 2 });
      const ctl = startUserController(stack.sim, { user: `serin-${ns}`, namespace: ns });
      controllers.push(ctl);
      entries.push({ family, svc, ctl, observer: new Observer([svc]) });
    }
    for (const e of entries)
      expect(await until(() => (e.svc.status().phase === 'Idle' ? true : undefined), 30_000)).toBe(true);
    const outcomes: Outcome[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // One user's faults run side by side; watch drops and history expiry touch every client, so alone.
      outcomes.push(
        ...(await Promise.all(entries.filter((e) => !e.family.global).map((e) => rollout(e, round)))),
      );
      outcomes.push(
        ...(await Promise.all(entries.filter((e) => e.family.global).map((e) => rollout(e, round)))),
      );
    }
    for (const e of entries) e.observer.stop();
    const rows = FAULT_FAMILIES.map((family) => {
      const mine = outcomes.filter((o) => o.family === family.name);
      const passes = mine.map((o) => o.passes).sort((a, b) => a - b);
      return [
        family.name,
        `${mine.filter((o) => o.right).length}/${mine.length}`,
        `${passes[Math.floor((passes.length - 1) / 2)] ?? '-'} (max ${passes.at(-1) ?? '-'})`,
        mine.reduce((sum, o) => sum + o.weightWrites, 0),
        mine.reduce((sum, o) => sum + o.duplicates.length, 0),
      ];
    });
    const wrong = outcomes.filter((o) => !o.right);
    const duplicates = outcomes.flatMap((o) => o.duplicates.map((d) => `${o.family}: ${d}`));
    recordFigures({
      id: 'api-faults',
      title: 'API faults: convergence per fault family',
      columns: [
        'fault (for 4 s after the release)',
        'right final state',
        'passes to converge (median, max)',
        'VirtualService writes sent',
        'duplicate effects',
      ],
      rows,
      goals: [
        `rollouts that did not converge to the right state: ${wrong.length} (goal 0): ${wrong.length === 0 ? 'met' : 'missed'}`,
        `duplicate effects: ${duplicates.length} (goal 0): ${duplicates.length === 0 ? 'met' : 'missed'}`,
      ],
      notes: [
        `${ROUNDS} round(s); each rollout 10% → 1 s pause → 50% → 1 s pause → promote. Right: Succeeded with the new image in the primary and canary weight 0. Passes: reconcile passes (serin_reconcile_duration_seconds_count) from the release to Succeeded.`,
        'Duplicate effects: a step taken twice (test/soak/kill9-oracles.ts), canary weights other than 10 → 50, or more than one change of the primary image.',
      ],
    });
    expect(wrong.map((o) => `${o.family}: ${o.why}`)).toEqual([]);
    expect(duplicates).toEqual([]);
  }, 600_000);

  it('the lease lost in the middle of a pass: the old leader sends no write after it stopped leading', async () => {
    const rounds = ROUNDS;
    const rows: (string | number)[][] = [];
    let afterLoss = 0;
    let afterTakeover = 0;
    for (let round = 1; round <= rounds; round++) {
      const ns = `api-lease-${round}`;
      const leaseNs = `${ns}-system`;
      await stack.namespace(leaseNs);
      const steps = [10, 20, 30, 40, 50, 60, 70, 80].flatMap((w) => [
        { setWeight: w },
        { pause: { duration: '1s' } },
      ]);
      const svc = await addService(stack, { ns, steps, rps: 2 });
      const election = (identity: string) => ({
        namespace: leaseNs,
        name: 'serin-controller',
        identity,
        leaseDurationMs: 3_000,
        renewDeadlineMs: 2_000,
        retryPeriodMs: 500,
      });
      const oldUser = `old-leader-${round}`;
      const old = startUserController(stack.sim, {
        user: oldUser,
        namespace: ns,
        leaderElection: election('old'),
      });
      controllers.push(old);
      expect(await until(() => (leaseHolder(stack.sim, leaseNs) === 'old' ? true : undefined), 20_000)).toBe(
        true,
      );
      const contender = startUserController(stack.sim, {
        user: `new-leader-${round}`,
        namespace: ns,
        leaderElection: election('new'),
      });
      controllers.push(contender);
      expect(await until(() => (svc.status().phase === 'Idle' ? true : undefined), 30_000)).toBe(true);
      await svc.release(`podinfo:lease-${round}`, 0);
      expect(await until(() => ((svc.status().currentStepIndex ?? 0) >= 2 ? true : undefined), 30_000)).toBe(
        true,
      );
      // The old leader's renewals hang (it cannot know whether they land) and its weight writes are slow,
      // so a pass is under way when its renew deadline passes.
      stack.sim.faults.setLatency(20_000, {
        user: oldUser,
        method: 'PUT',
        path: /\/leases\/serin-controller$/,
      });
      stack.sim.faults.setLatency(1_500, { user: oldUser, method: 'PATCH' });
      const marks: { at: number; audit: number }[] = [];
      let lossIndex: number | undefined;
      let takeoverIndex: number | undefined;
      const deadline = Date.now() + 30_000;
      while ((lossIndex === undefined || takeoverIndex === undefined) && Date.now() < deadline) {
        const audit = stack.sim.audit.entries().length;
        marks.push({ at: Date.now(), audit });
        if (lossIndex === undefined && !old.controller.isLeader()) lossIndex = audit;
        if (takeoverIndex === undefined && leaseHolder(stack.sim, leaseNs) === 'new') takeoverIndex = audit;
        await sleep(5);
      }
      expect(lossIndex).toBeDefined();
      expect(takeoverIndex).toBeDefined();
      const end = await until(() => (svc.status().phase === 'Succeeded' ? true : undefined), 60_000);
      await sleep(1_000);
      const entries = stack.sim.audit.entries();
      const oldWrites = (from: number, leases: boolean) =>
        entries
          .slice(from)
          .filter(
            (e) =>
              e.user === oldUser &&
              isWrite(e) &&
              (leases || (e.kind === 'resource' && e.resource !== 'leases')),
          );
      const lossAt = marks.find((m) => m.audit >= lossIndex!)?.at ?? 0;
      const pending = entries
        .slice(marks.find((m) => m.at >= lossAt - 1_500)?.audit ?? 0, lossIndex)
        .filter(
          (e) => e.user === oldUser && isWrite(e) && e.kind === 'resource' && e.resource !== 'leases',
        ).length;
      const loss = oldWrites(lossIndex!, false);
      const takeover = oldWrites(takeoverIndex!, true);
      afterLoss += loss.length;
      afterTakeover += takeover.length;
      rows.push([
        round,
        pending,
        loss.length,
        takeover.length,
        end === true ? 'Succeeded' : (svc.status().phase ?? '-'),
      ]);
      stack.sim.faults.setLatency(0);
      await old.controller.stop();
      await contender.controller.stop();
      expect(end).toBe(true);
    }
    recordFigures({
      id: 'api-faults-lease',
      title: 'API faults: the lease lost in the middle of a pass (fencing)',
      columns: [
        'round',
        'old leader writes sent in the 1.5 s before it stopped leading (in flight)',
        'writes after it stopped leading (Lease excluded)',
        'writes after the other replica took the Lease (Lease included)',
        'rollout',
      ],
      rows,
      goals: [
        `writes after lease loss: ${afterLoss + afterTakeover} (goal 0): ${afterLoss + afterTakeover === 0 ? 'met' : 'missed'}`,
      ],
      notes: [
        'Lease 3 s, renew deadline 2 s, retry 0.5 s. The old leader\'s Lease renewals are held 20 s by the simulator and its PATCHes 1.5 s; the second replica takes the Lease once it has seen it unchanged for 3 s. A write is counted when it reaches the simulator (the audit log), so "after" means sent after.',
      ],
    });
    expect(afterLoss).toBe(0);
    expect(afterTakeover).toBe(0);
  }, 600_000);
});
