/**
 * breach→safe with notifications (issue 15): the breach→safe trial of breach.bench.ts, with every
 * Canary subscribed to two receivers: one that never answers (each attempt runs into its 10 s
 * timeout, then retries) and a healthy CloudEvents webhook. A notification must never delay a
 * rollback: compare these figures with breach.bench.ts' (docs/performance.md). Also printed: when
 * the healthy receiver got the Aborted event, counted from the pass that decided it.
 * `NOTIFY_BREACH_RUNS` changes the run count (default 5).
 */
import { PROMETHEUS_MISSING, startStack } from '../../src/sim/stack.ts';
import { prometheusBinary } from '../../src/sim/prometheus.ts';
import { BREACH_CONFIG } from './breach/manifests.ts';
import { TRIAL_HEADER, configLines, machineLine, summaryLines, trialRow } from './breach/report.ts';
import { SetupError, runTrial, type TrialResult } from './breach/trial.ts';
import type { Stack } from '../../src/sim/stack.ts';
import { startReceiver, type ReceiverServer } from '../notifiers/receiver-server.ts';
import { withNotifications } from '../notifiers/stack-notifications.ts';

const SETUP_ATTEMPTS = 3;

async function trial(stack: Stack, name: string): Promise<TrialResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runTrial(stack, attempt === 1 ? name : `${name}-${attempt}`, BREACH_CONFIG);
    } catch (err) {
      if (!(err instanceof SetupError) || attempt >= SETUP_ATTEMPTS) throw err;
      console.log(`setup failed before t0, no figure taken; repeating: ${err.message.slice(0, 300)}`);
    }
  }
}

interface AbortedEvent {
  type: string;
  data: { time: string; canary: { namespace: string }; metrics: { name: string; value?: string }[] };
}

/** ms from the deciding pass (the event's time) to the healthy receiver's arrival, for this namespace. */
function abortedDelivery(healthy: ReceiverServer, ns: string): string {
  for (const request of healthy.received) {
    const event = JSON.parse(request.body) as AbortedEvent;
    if (event.type !== 'dev.serin.canary.Aborted' || event.data.canary.namespace !== ns) continue;
    const metric = event.data.metrics[0];
    return `${request.at - Date.parse(event.data.time)} ms (${metric?.name ?? '?'} = ${metric?.value ?? '?'})`;
  }
  return 'not received';
}

export async function run(): Promise<void> {
  if (prometheusBinary() === undefined) {
    console.error(`notify-breach needs a real Prometheus: ${PROMETHEUS_MISSING}`);
    process.exitCode = 1;
    return;
  }
  const runs = Number(process.env.NOTIFY_BREACH_RUNS ?? 5);
  const hanging = await startReceiver('/hang/T000/B000/hanging-token');
  hanging.fallback = 'hang';
  const healthy = await startReceiver('/events/healthy-token');
  const base = await startStack({ scrapeInterval: `${BREACH_CONFIG.scrapeIntervalMs / 1000}s` });
  const stack = await withNotifications(base, [
    { name: 'hanging', type: 'slack', url: hanging.url, timeoutSeconds: 10 },
    { name: 'healthy', type: 'webhook', url: healthy.url },
  ]);
  const tag = Date.now() % 100_000;
  try {
    console.log(machineLine());
    console.log(
      'receivers: "hanging" (Slack format, never answers, 10 s timeout, 6 attempts) and "healthy" (CloudEvents)',
    );
    for (const text of configLines(BREACH_CONFIG, runs)) console.log(text);
    console.log('times in ms; columns before | are after t0 (wall clock)');
    console.log(TRIAL_HEADER);
    const warmUp = await trial(stack, `nbreach-${tag}-warmup`);
    console.log(trialRow('w', warmUp));
    const results: TrialResult[] = [];
    for (let i = 1; i <= runs; i++) {
      const result = await trial(stack, `nbreach-${tag}-${i}`);
      results.push(result);
      console.log(trialRow(String(i), result));
      console.log(
        `   healthy receiver got Aborted ${abortedDelivery(healthy, result.ns)} after the deciding pass`,
      );
    }
    for (const text of summaryLines(BREACH_CONFIG, results)) console.log(text);
    console.log(
      `requests: hanging receiver ${hanging.received.length} (none answered), healthy receiver ${healthy.received.length}`,
    );
    console.log(machineLine());
  } finally {
    await stack.stop();
    await Promise.all([hanging.close(), healthy.close()]);
  }
}
