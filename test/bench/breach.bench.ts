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
import { runTrial, type TrialResult } from './breach/trial.ts';

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
    const warmUp = await runTrial(stack, `breach-${tag}-warmup`, config);
    console.log(trialRow('w', warmUp));
    const results: TrialResult[] = [];
    for (let i = 1; i <= runs; i++) {
      const result = await runTrial(stack, `breach-${tag}-${i}`, config);
      results.push(result);
      console.log(trialRow(String(i), result));
    }
    for (const text of summaryLines(config, results)) console.log(text);
    console.log(machineLine());
  } finally {
    await stack.stop();
  }
}
