/**
 * The breach→safe figure (issue 8): how long a bad canary keeps its traffic. A healthy canary is
 * under analysis at 50%; at a random moment its pods start answering 20% 500s (t0); t1 is when a
 * watch on the VirtualService sees canary weight 0. Also the controller's own share: from the
 * failing measurement's result (its finishedAt in status) to t1. Everything runs in this process
 * on one clock, against the simulator and a real Prometheus. `BREACH_RUNS` changes the run count.
 * See docs/performance.md.
 */
import { PROMETHEUS_MISSING, startStack } from '../../src/sim/stack.ts';
import { prometheusBinary } from '../../src/sim/prometheus.ts';
import { BREACH_CONFIG } from './breach/manifests.ts';
import { TRIAL_HEADER, configLines, machineLine, summaryLines, trialRow } from './breach/report.ts';
import type { BreachConfig } from './breach/manifests.ts';
import { SetupError, runTrial, type TrialResult } from './breach/trial.ts';
import type { Stack } from '../../src/sim/stack.ts';

const SETUP_ATTEMPTS = 3;

/** A trial, repeated in a fresh namespace when it fails before t0; each setup failure is printed. */
async function trial(
  stack: Stack,
  name: string,
  config: BreachConfig,
): Promise<{ result: TrialResult; setupFailures: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return {
        result: await runTrial(stack, attempt === 1 ? name : `${name}-${attempt}`, config),
        setupFailures: attempt - 1,
      };
    } catch (err) {
      if (!(err instanceof SetupError) || attempt >= SETUP_ATTEMPTS) throw err;
      console.log(`setup failed before t0, no figure taken; repeating: ${err.message.slice(0, 300)}`);
    }
  }
}

/** Runs the warm-up and the measured trials on one stack and prints each run and the summary. */
export async function run(): Promise<void> {
  if (prometheusBinary() === undefined) {
    console.error(`breach→safe needs a real Prometheus: ${PROMETHEUS_MISSING}`);
    process.exitCode = 1;
    return;
  }
  const config = BREACH_CONFIG;
  const runs = Number(process.env.BREACH_RUNS ?? 20);
  const stack = await startStack({ scrapeInterval: `${config.scrapeIntervalMs / 1000}s` });
  const tag = Date.now() % 100_000;
  try {
    console.log(machineLine());
    for (const text of configLines(config, runs)) console.log(text);
    console.log('times in ms; columns before | are after t0 (wall clock)');
    console.log(TRIAL_HEADER);
    const warmUp = await trial(stack, `breach-${tag}-warmup`, config);
    let setupFailures = warmUp.setupFailures;
    console.log(trialRow('w', warmUp.result));
    const results: TrialResult[] = [];
    for (let i = 1; i <= runs; i++) {
      const { result, setupFailures: failures } = await trial(stack, `breach-${tag}-${i}`, config);
      setupFailures += failures;
      results.push(result);
      console.log(trialRow(String(i), result));
    }
    for (const text of summaryLines(config, results)) console.log(text);
    console.log(`setups that failed before t0 and were repeated: ${setupFailures}`);
    console.log(machineLine());
  } finally {
    await stack.stop();
  }
}
