import { DemoError } from './errors.ts';
import {
  APP,
  decidingLines,
  imageOf,
  pollUntil,
  release,
  replicasOf,
  seconds,
  virtualServiceCanaryWeight,
  waitForPhase,
  type ReleaseResult,
  type ScenarioContext,
} from './releases.ts';

const REPOSITORY = 'ghcr.io/stefanprodan/podinfo';
/** The two versions the demo releases. */
export const GOOD_VERSION = { tag: '6.7.1', env: { DEMO_ERROR_RATE: '0' } } as const;
export const BAD_VERSION = { tag: '6.7.2', env: { DEMO_ERROR_RATE: '0.2' } } as const;

const REASON = 'the demo plays on-call: the analysis passed';

/**
 * Plays on-call: `serin promote podinfo -n demo --reason …`, the command `serin status` shows while
 * the Canary waits. Returns the verb's own lines.
 */
async function approve(ctx: ScenarioContext): Promise<string[]> {
  const request = {
    kubeconfig: ctx.stack.sim.kubeconfigPath,
    namespace: ctx.namespace,
    name: APP,
    reason: REASON,
  };
  const result = await ctx.promote(request);
  const lines = result.output.split('\n').filter((line) => line.trim() !== '');
  if (!result.ok) {
    throw new DemoError(
      'UnexpectedResult',
      `serin promote ${APP} -n ${ctx.namespace} failed: ${lines.join(' ')}`,
    );
  }
  return lines;
}

/**
 * Release 1: a good version. It passes the analysis, waits at the `pause: {}` step for on-call, the
 * demo approves it, and it is promoted.
 */
export async function goodRelease(ctx: ScenarioContext): Promise<ReleaseResult> {
  const { display } = ctx;
  const before = ctx.observer.latest()?.view.revision;
  const version = `${APP}:${GOOD_VERSION.tag}`;
  display.say(
    `Release 1/2: a good version, ${version} (no errors). Expected: analysis passes, on-call approves, promoted.`,
  );
  const startedAt = Date.now();
  await release(ctx, `${REPOSITORY}:${GOOD_VERSION.tag}`, GOOD_VERSION.env);
  const paused = await waitForPhase(ctx, 'the good release to wait for approval', {
    before,
    wanted: ['Paused'],
    wrong: ['Aborted', 'Failed'],
    timeoutMs: 40_000,
  });
  if (paused.view.pauseReason !== 'Manual') {
    throw new DemoError(
      'UnexpectedResult',
      `the good release paused (${paused.view.pauseReason ?? 'no reason'}) instead of waiting for approval: ${paused.view.message ?? ''}`,
    );
  }
  const deciding = decidingLines(paused);
  display.say(`Analysis passed: ${deciding.join('; ')}.`);
  const revision = paused.canary.status?.revision ?? '';
  const step = paused.canary.status?.currentStepIndex ?? 0;
  const stepText = `step ${step + 1}/${paused.canary.spec.steps.length}`;
  display.say(`serin waits at ${stepText} (pause {}) for on-call to approve...`);
  display.say(`on-call runs: serin promote ${APP} -n ${ctx.namespace} --reason '${REASON}'`);
  for (const line of await approve(ctx)) display.say(`  ${line}`);
  const done = await waitForPhase(ctx, 'the good release to succeed', {
    before,
    wanted: ['Succeeded'],
    wrong: ['Aborted', 'Failed'],
    timeoutMs: 20_000,
  });
  const durationMs = Date.now() - startedAt;
  const primary = await imageOf(ctx, `${APP}-primary`);
  display.say(
    `Succeeded after ${seconds(durationMs)}: ${APP}-primary now runs ${primary}, all traffic on it.`,
  );
  return {
    label: 'good',
    version,
    expected: 'Succeeded',
    phase: done.view.phase,
    durationMs,
    deciding,
    notes: [
      `approved with serin promote at ${stepText} (revision ${revision})`,
      `${APP}-primary runs ${primary}`,
    ],
  };
}

/**
 * Release 2: a bad version answering 20% of requests with 500. The analysis fails, serin aborts:
 * canary weight 0 at once, the canary scaled to 0 after abortScaleDownDelaySeconds.
 */
export async function badRelease(ctx: ScenarioContext): Promise<ReleaseResult> {
  const { display } = ctx;
  const before = ctx.observer.latest()?.view.revision;
  const version = `${APP}:${BAD_VERSION.tag}`;
  display.say(
    `Release 2/2: a bad version, ${version} (DEMO_ERROR_RATE=${BAD_VERSION.env.DEMO_ERROR_RATE}: 20% of answers are 500). Expected: analysis fails, aborted.`,
  );
  const startedAt = Date.now();
  await release(ctx, `${REPOSITORY}:${BAD_VERSION.tag}`, BAD_VERSION.env);
  const aborted = await waitForPhase(ctx, 'the bad release to be aborted', {
    before,
    wanted: ['Aborted'],
    wrong: ['Succeeded', 'Paused', 'Failed'],
    timeoutMs: 40_000,
  });
  const abortedMs = Date.now() - startedAt;
  const deciding = decidingLines(aborted);
  display.say(`Analysis failed: ${deciding.join('; ')}. serin aborts the release.`);
  await pollUntil(ctx, 'the VirtualService to send no traffic to the canary', {
    read: () => virtualServiceCanaryWeight(ctx),
    accept: (weight) => weight === 0,
    timeoutMs: 10_000,
  });
  const safeMs = Date.now() - startedAt;
  display.say(
    `VirtualService: canary weight 0 (${seconds(safeMs)} after the release); waiting to scale the canary down...`,
  );
  await pollUntil(ctx, `the canary Deployment ${APP} to be scaled to 0`, {
    read: () => replicasOf(ctx, APP),
    accept: (replicas) => replicas === 0,
    timeoutMs: 20_000,
  });
  const scaledMs = Date.now() - startedAt;
  const primary = await imageOf(ctx, `${APP}-primary`);
  display.say(
    `Canary ${APP} scaled to 0 (${seconds(scaledMs)} after the release); ${APP}-primary still runs ${primary}.`,
  );
  return {
    label: 'bad',
    version: `${version} (DEMO_ERROR_RATE=${BAD_VERSION.env.DEMO_ERROR_RATE})`,
    expected: 'Aborted',
    phase: aborted.view.phase,
    durationMs: abortedMs,
    deciding,
    notes: [
      `canary weight 0 after ${seconds(safeMs)}, canary scaled to 0 after ${seconds(scaledMs)}`,
      `${APP}-primary still runs ${primary}`,
    ],
  };
}
