import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.ts';
import { NS } from '../controller/harness.ts';
import { image, release, replicas, status } from '../controller/rollout-helpers.ts';
import { startNotifyWorld, type ControllerInstance, type NotifyWorld } from './controller-world.ts';

const SECOND = 1000;
const MESSAGES = new URL('../fixtures/notifications/controller-messages.json', import.meta.url);
const UPDATE = process.env.SERIN_UPDATE_GOLDEN === '1';

let world: NotifyWorld;
afterEach(async () => world.stop());

/** The event of each Slack message: its context line starts with it. */
function eventsOf(world: NotifyWorld): string[] {
  return world.messages().map((message) => {
    const context = message.blocks.at(-1) as { elements: { text: string }[] };
    return context.elements[0]!.text.split(' · ')[0]!;
  });
}

async function approve(w: NotifyWorld, name: string, spec: Record<string, unknown>): Promise<void> {
  await w.h.client.create<KubeObject>({
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'Approval',
    metadata: { name, namespace: NS },
    spec: { canaryRef: { name: 'podinfo' }, approver: 'oncall@example.com', ...spec },
  });
}

/** Idle, then a new revision at step 1 (setWeight 20, canary ready). */
async function startRollout(w: NotifyWorld, c: ControllerInstance): Promise<void> {
  await c.pass();
  await w.h.markRolledOut('podinfo-primary');
  await c.pass();
  await release(w.h, 'podinfo:2.0');
  await c.pass();
  await w.h.markRolledOut('podinfo');
  await c.pass();
}

/** One message of each event, collected over the scenarios, for docs/notifications.md. */
const collected: Record<string, unknown> = {};
function collect(w: NotifyWorld): void {
  const events = eventsOf(w);
  w.messages().forEach((message, index) => {
    collected[events[index]!] ??= message;
  });
}

describe('notifications from real reconcile passes', () => {
  it('a promoted rollout tells: Progressing, each StepCompleted, WaitingForApproval with the promote command, ApprovalApplied, Promoted', async () => {
    world = await startNotifyWorld();
    const c = world.start();
    await startRollout(world, c);
    world.h.clock.advance(61 * SECOND);
    await c.pass();
    world.h.provider.set('success_rate', 0.99);
    await c.pass();
    world.h.clock.advance(10 * SECOND);
    await c.pass();
    await c.pass();
    await c.pass();
    expect(await status(world.h)).toMatchObject({ phase: 'Paused', pauseReason: 'Manual' });
    await approve(world, 'podinfo-promote', {
      action: 'Promote',
      revision: (await status(world.h)).revision,
      step: 4,
      reason: 'dashboards are green',
    });
    await c.pass();
    await world.h.markRolledOut('podinfo-primary');
    await c.pass();
    expect(await image(world.h, 'podinfo-primary')).toBe('podinfo:2.0');

    expect(eventsOf(world)).toEqual([
      'Progressing',
      'StepCompleted',
      'StepCompleted',
      'StepCompleted',
      'StepCompleted',
      'WaitingForApproval',
      'ApprovalApplied',
      'StepCompleted',
      'Promoted',
    ]);
    const text = JSON.stringify(world.messages());
    expect(text).toContain('`serin promote podinfo -n test`');
    expect(text).toContain('<https://serin.example.com/canaries/test/podinfo|Open in the dashboard>');
    expect(text).toContain('Promote by oncall@example.com: Applied — reason: dashboards are green');
    expect(text).toContain('success-rate Successful: 0.99 (success when result &gt;= 0.95)');
    collect(world);
  });

  it('a failed analysis that aborts tells Aborted, naming the failed metric and its value', async () => {
    world = await startNotifyWorld();
    const c = world.start();
    await startRollout(world, c);
    world.h.clock.advance(61 * SECOND);
    await c.pass();
    world.h.provider.set('success_rate', 0.81);
    await c.pass();
    expect((await status(world.h)).phase).toBe('Aborted');
    const aborted = world.messages().at(-1)!;
    expect(eventsOf(world).at(-1)).toBe('Aborted');
    expect(JSON.stringify(aborted)).toContain('success-rate Failed: 0.81 (success when result &gt;= 0.95)');
    expect(JSON.stringify(aborted)).toContain('primary 100% / canary 0%');
    collect(world);
  });

  it('an inconclusive analysis tells AnalysisInconclusive; a stale Approval tells ApprovalRejected', async () => {
    world = await startNotifyWorld();
    const c = world.start();
    await startRollout(world, c);
    world.h.clock.advance(61 * SECOND);
    await c.pass();
    await c.pass();
    expect(await status(world.h)).toMatchObject({ phase: 'Paused', pauseReason: 'InconclusiveAnalysis' });
    await approve(world, 'stale', { action: 'PromoteFull', revision: 'not-this-one' });
    await c.pass();
    expect(eventsOf(world).slice(-2)).toEqual(['AnalysisInconclusive', 'ApprovalRejected']);
    collect(world);
  });

  it('a failed analysis with onFailure Pause tells AnalysisFailed with the retry command', async () => {
    world = await startNotifyWorld({ onFailure: 'Pause' });
    const c = world.start();
    await startRollout(world, c);
    world.h.clock.advance(61 * SECOND);
    await c.pass();
    world.h.provider.set('success_rate', 0.5);
    await c.pass();
    expect(eventsOf(world).at(-1)).toBe('AnalysisFailed');
    expect(JSON.stringify(world.messages().at(-1))).toContain('`serin retry podinfo -n test`');
    collect(world);
  });

  it('a Canary stalled on a missing VirtualService tells Stalled once: not again on a repeated pass nor after a restart', async () => {
    world = await startNotifyWorld();
    const first = world.start();
    await first.pass();
    await world.h.client.delete({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      namespace: NS,
      name: 'podinfo',
    });
    await release(world.h, 'podinfo:2.0');
    for (let i = 0; i < 3; i++) await first.pass().catch(() => undefined);
    expect(eventsOf(world).filter((e) => e === 'Stalled')).toHaveLength(1);
    // A restart: a new controller instance with empty queues and no memory of what was sent.
    const second = world.start();
    for (let i = 0; i < 3; i++) await second.pass().catch(() => undefined);
    expect(eventsOf(world).filter((e) => e === 'Stalled')).toHaveLength(1);
    const sent = (await world.h.get('Canary', 'podinfo'))?.status as { notifications?: { sent?: string[] } };
    expect(sent.notifications?.sent?.some((key) => key.startsWith('Stalled/'))).toBe(true);
    collect(world);
  });

  it('a restart between two passes of a rollout repeats none of the notifications already sent', async () => {
    world = await startNotifyWorld();
    const first = world.start();
    await startRollout(world, first);
    const before = eventsOf(world);
    const second = world.start();
    await second.pass();
    await second.pass();
    expect(eventsOf(world)).toEqual(before);
    expect(await replicas(world.h, 'podinfo')).toBe(2);
  });

  it('a failed delivery gives a Warning Event and serin_notifications_total{result="failed"}, without the URL', async () => {
    world = await startNotifyWorld();
    world.receiver.fallback = { status: 403, body: 'invalid_token' };
    const c = world.start();
    await startRollout(world, c);
    const events = await world.h.events();
    const failed = events.filter((e) => e.reason === 'NotificationFailed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]?.message).toContain('to receiver team-chat: HTTP 403: invalid_token');
    expect(JSON.stringify(events)).not.toContain('secret-token');
    const metrics = await c.metrics.registry.getSingleMetricAsString('serin_notifications_total');
    expect(metrics).toMatch(/serin_notifications_total\{receiver="team-chat",result="failed"\} [1-9]/);
    const status = JSON.stringify((await world.h.get('Canary', 'podinfo'))?.status);
    expect(status).not.toContain('secret-token');
  });

  it('a receiver the ConfigMap does not define gives a Warning Event and counts as failed; the rollout goes on', async () => {
    world = await startNotifyWorld({ notifications: { receivers: [{ receiver: 'ops-pager' }] } });
    const c = world.start();
    await startRollout(world, c);
    expect(await world.h.weights()).toEqual({ primary: 80, canary: 20 });
    const failed = (await world.h.events()).filter((e) => e.reason === 'NotificationFailed');
    expect(failed.map((e) => e.message)).toContain(
      'receiver "ops-pager" not notified of Progressing: it is not defined in the notifications ConfigMap',
    );
    const metrics = await c.metrics.registry.getSingleMetricAsString('serin_notifications_total');
    expect(metrics).toMatch(/serin_notifications_total\{receiver="ops-pager",result="failed"\} [1-9]/);
    expect(world.receiver.received).toHaveLength(0);
  });

  it('a receiver that hangs never delays the pass that aborts: weights go to 0 while its post is still open', async () => {
    world = await startNotifyWorld();
    const c = world.start();
    await startRollout(world, c);
    world.h.clock.advance(61 * SECOND);
    await c.pass();
    world.receiver.fallback = 'hang';
    const before = world.receiver.received.length;
    world.h.provider.set('success_rate', 0.81);
    await c.reconcile();
    expect((await status(world.h)).phase).toBe('Aborted');
    expect(await world.h.weights()).toEqual({ primary: 100, canary: 0 });
    // The Aborted message is on its way (or about to be) and hangs; the pass did not wait for it.
    await world.receiver.waitFor(before + 1);
    const hanging = JSON.parse(world.receiver.received.at(-1)!.body) as { text: string };
    expect(hanging.text).toContain('rolled back');
    let settled = false;
    void c.sink.idle().then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
  });

  it('keeps one real message of each event (docs/notifications.md is rendered from them)', () => {
    const ordered = Object.fromEntries(Object.entries(collected).sort(([a], [b]) => a.localeCompare(b)));
    expect(Object.keys(ordered).sort()).toEqual([
      'Aborted',
      'AnalysisFailed',
      'AnalysisInconclusive',
      'ApprovalApplied',
      'ApprovalRejected',
      'Progressing',
      'Promoted',
      'Stalled',
      'StepCompleted',
      'WaitingForApproval',
    ]);
    const text = `${JSON.stringify(ordered, null, 2)}\n`;
    if (UPDATE) writeFileSync(MESSAGES, text);
    expect(text).toBe(readFileSync(MESSAGES, 'utf8'));
  });
});
