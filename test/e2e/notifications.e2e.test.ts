/**
 * Notifications end to end: the closed loop of closed-loop.e2e.test.ts (simulator, emulated mesh,
 * a real Prometheus, the shipped AnalysisTemplates) with the Canary subscribed to a Slack-format
 * receiver on 127.0.0.1. The demo's bad release must produce one `Aborted` message that names the
 * failed metric and its value.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.ts';
import { prometheusSkipReason } from '../harness/prometheus.ts';
import { startReceiver, type ReceiverServer } from '../notifiers/receiver-server.ts';
import { withNotifications } from '../notifiers/stack-notifications.ts';
import { analysisStep, startScenario, waitForTraffic, type Scenario } from './scenario.ts';
import { poll } from '../support/index.ts';

const skip = prometheusSkipReason();
const RPS = 100;

let stack: Stack;
let slack: ReceiverServer;
let scenario: Scenario | undefined;

beforeAll(async () => {
  if (skip !== undefined) return;
  slack = await startReceiver();
  stack = await withNotifications(await startStack(), [
    { name: 'team-slack', type: 'slack', url: slack.url },
  ]);
}, 60_000);
afterAll(async () => {
  if (skip !== undefined) return;
  await stack.stop();
  await slack.close();
});
afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

interface SlackMessage {
  text: string;
  blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[];
}

function eventOf(message: SlackMessage): string {
  return message.blocks.at(-1)?.elements?.[0]?.text.split(' · ')[0] ?? '';
}

describe.skipIf(skip !== undefined)('notifications with a real Prometheus', () => {
  it("the demo's bad release (20% errors) sends one Aborted Slack message naming the failed metric and its value", async () => {
    scenario = await startScenario(stack, {
      steps: (ns) => [
        { setWeight: 10 },
        { pause: { duration: '5s' } },
        analysisStep(ns, ['istio-success-rate']),
      ],
      templates: ['istio-success-rate'],
      rps: RPS,
    });
    await scenario.waitFor('Idle', (st) => st.phase === 'Idle');
    await waitForTraffic(stack.prometheus!.url, scenario.ns);
    await scenario.release('podinfo:2.0.1', { DEMO_ERROR_RATE: '0.2' });
    const aborted = await scenario.waitFor(
      'Aborted',
      (st) => st.phase === 'Aborted' || st.phase === 'Succeeded',
    );
    expect(aborted.phase).toBe('Aborted');
    const measured = aborted.analysis
      ?.flatMap((run) => run.metrics)
      .find((m) => m.name === 'success-rate')
      ?.measurements.findLast((m) => m.phase === 'Failed')?.value;
    expect(Number(measured)).toBeLessThan(0.99);

    const ns = scenario.ns;
    const mine = (): SlackMessage[] =>
      slack.received
        .map((r) => JSON.parse(r.body) as SlackMessage)
        .filter((m) => m.blocks.some((b) => b.text?.text === `Canary ${ns}/podinfo rolled back`));
    const messages = await poll(
      () => (mine().length > 0 ? mine() : undefined),
      `the rollback message for ${ns}`,
      {
        timeoutMs: 15_000,
        intervalMs: 100,
      },
    );
    expect(messages.map(eventOf)).toEqual(['Aborted']);
    const text = JSON.stringify(messages[0]);
    expect(text).toContain(`success-rate Failed: ${measured} (success when result &gt;= 0.99)`);
    expect(text).toContain('primary 100% / canary 0%');
    expect(text).toContain('*Step*\\n3 of 3');
  }, 120_000);
});
