/**
 * The kill -9 suite's oracles: what counts as a wrong outcome, read from the store snapshots the
 * observer took (test/soak/world.ts) and the rollouts the drivers made. Pure functions, so the
 * definitions are in one place and read as the figures' footnotes.
 */
import type { Snapshot } from './world.ts';

/** What a driver asked for and how it ended. */
export interface Rollout {
  readonly ns: string;
  /** good: approved at the gate, must succeed; bad: 30% errors, must abort; superseded: replaced mid-rollout. */
  readonly kind: 'good' | 'bad' | 'superseded';
  readonly image: string;
  /** Why its final state is wrong; undefined when it is right. */
  wrong?: string;
}

const ACTIVE = new Set(['Progressing', 'Paused']);

/**
 * Promotions of a revision whose analysis had a failed run: a snapshot in Promoting or Succeeded for a
 * revision that some earlier snapshot showed with a Failed analysis run, or a bad or superseded
 * rollout's image ever running in the primary. Counted once per revision or image.
 */
export function promotionsAfterFailedAnalysis(
  history: readonly Snapshot[],
  rollouts: readonly Rollout[],
): number {
  const failed = new Set<string>();
  const promoted = new Set<string>();
  const neverPrimary = new Set(rollouts.filter((r) => r.kind !== 'good').map((r) => r.image));
  for (const s of history) {
    for (const revision of s.failedRevisions) failed.add(revision);
    if ((s.phase === 'Promoting' || s.phase === 'Succeeded') && failed.has(s.revision))
      promoted.add(`revision ${s.revision}`);
    if (neverPrimary.has(s.primary)) promoted.add(`image ${s.primary}`);
  }
  return promoted.size;
}

/**
 * Canary weight > 0 after an abort: once a snapshot shows a revision Aborted, any later snapshot of the
 * same revision with the same target image (the test released nothing since) and a canary weight above
 * 0. Counted once per aborted revision.
 */
export function weightAfterAbort(history: readonly Snapshot[]): number {
  const aborted = new Set<string>();
  const violations = new Set<string>();
  for (const s of history) {
    const key = `${s.revision}|${s.target}`;
    // serin writes the weight 0 before the status that records the abort, so an Aborted snapshot
    // with weight above 0 is already a violation.
    if (s.phase === 'Aborted') aborted.add(key);
    if (aborted.has(key) && s.weight > 0) violations.add(key);
  }
  return violations.size;
}

/**
 * Steps taken twice, within one rollout (one revision, with the target image the test released for it),
 * while it is Progressing or Paused: (a) the step index moves backwards; (b) a step starts again (its
 * index stays, its stepStartedAt changes: a pause's clock restarted, an analysis begun anew); (c) the
 * VirtualService's canary weight comes back to a value above 0 that it had already left (10 → 50 → 10).
 * Each occurrence counts once.
 */
export function stepsTakenTwice(history: readonly Snapshot[]): { count: number; examples: string[] } {
  const rollouts = new Map<string, Snapshot[]>();
  for (const s of history) {
    if (!ACTIVE.has(s.phase) || s.revision === '') continue;
    const key = `${s.revision}|${s.target}`;
    const list = rollouts.get(key) ?? [];
    list.push(s);
    rollouts.set(key, list);
  }
  const examples: string[] = [];
  for (const [key, snaps] of rollouts) {
    let previous: Snapshot | undefined;
    const left = new Set<number>();
    let weight = 0;
    for (const s of snaps) {
      if (previous?.step !== undefined && s.step !== undefined) {
        if (s.step < previous.step) examples.push(`${key}: step ${previous.step} → ${s.step}`);
        else if (s.step === previous.step && s.stepStartedAt !== previous.stepStartedAt)
          examples.push(
            `${key}: step ${s.step} restarted (${previous.stepStartedAt ?? '-'} → ${s.stepStartedAt ?? '-'})`,
          );
      }
      if (s.weight !== weight) {
        if (s.weight > 0 && left.has(s.weight)) examples.push(`${key}: weight ${weight} → ${s.weight} again`);
        if (weight > 0) left.add(weight);
        weight = s.weight;
      }
      previous = s;
    }
  }
  return { count: examples.length, examples };
}
