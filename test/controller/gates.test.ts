import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookInput, WebhookStatus } from '../../src/api/webhooks.ts';
import { assembleDeps } from '../../src/controller/assemble.ts';
import { GATE_RECHECK_MS } from '../../src/controller/gates.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import { createKubeClient, loadKubeConfig } from '../../src/kube/index.ts';
import { canary, NS, startHarness, successRateTemplate, type Harness } from './harness.ts';
import { release, status, toIdle } from './rollout-helpers.ts';
import { eventually } from '../support/index.ts';

const SECOND = 1000;
const FIXTURES = new URL('../fixtures/webhooks/', import.meta.url);
const UPDATE = process.env.SERIN_UPDATE_GOLDEN === '1';

interface Received {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** A webhook receiver on 127.0.0.1 that records every request and answers as the test scripts per path. */
class HookServer {
  readonly received: Received[] = [];
  readonly answers = new Map<string, number | 'hang'>();
  readonly #hanging: ServerResponse[] = [];
  readonly #server: Server;
  #port = 0;

  constructor() {
    this.#server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        this.received.push({ path, body: JSON.parse(body) as Record<string, unknown> });
        const answer = this.answers.get(path) ?? 200;
        if (answer === 'hang') {
          this.#hanging.push(res);
          return;
        }
        res.writeHead(answer).end();
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.#port}${path}`;
  }

  to(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }
}

let h: Harness | undefined;
let hooks: HookServer | undefined;
afterEach(async () => {
  await hooks?.stop();
  await h?.stop();
  h = undefined;
  hooks = undefined;
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

/** Passes until the status satisfies the predicate: webhooks answer in the background, between passes. */
async function passUntil(
  harness: Harness,
  done: (s: Awaited<ReturnType<typeof status>> & { webhooks?: WebhookStatus[] }) => boolean,
  pass: () => Promise<unknown> = () => harness.pass(),
): Promise<void> {
  await eventually(
    async () => {
      await pass();
      return done(await status(harness));
    },
    'the status to satisfy the predicate',
    { intervalMs: 10, detail: async () => `last status: ${JSON.stringify(await status(harness))}` },
  );
}

async function webhooks(harness: Harness): Promise<WebhookStatus[]> {
  return ((await status(harness)) as { webhooks?: WebhookStatus[] }).webhooks ?? [];
}

function hook(server: HookServer, fields: Partial<WebhookInput> & Pick<WebhookInput, 'type'>): WebhookInput {
  const name = fields.name ?? fields.type;
  return { name, url: server.url(`/${name}`), ...fields };
}

/** A rollout of podinfo:2.0 has started (the canary's pods are up). */
async function started(harness: Harness): Promise<void> {
  await toIdle(harness);
  await release(harness, 'podinfo:2.0');
  await harness.pass();
  await harness.markRolledOut('podinfo');
}

function golden(name: string, value: unknown): void {
  const path = new URL(`${name}.json`, FIXTURES);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (UPDATE) writeFileSync(path, text);
  if (!existsSync(path)) throw new Error(`${path.pathname} is missing: run with SERIN_UPDATE_GOLDEN=1`);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describe('webhook gates through the controller', () => {
  it('confirm-rollout: holds the rollout at weight 0 while the answer is not 2xx, records it, and goes on after a 2xx', async () => {
    hooks = await new HookServer().start();
    hooks.answers.set('/confirm', 403);
    const confirm = hook(hooks, { type: 'confirm-rollout', name: 'confirm', metadata: { ticket: 'CHG-7' } });
    h = await startHarness({ canary: canary({ webhooks: [confirm] }) });
    await started(h);
    await passUntil(h, (s) => s.webhooks?.[0]?.result === 'Failed');
    const held = await status(h);
    expect(held).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    expect(held.message).toContain('waiting for the confirm-rollout webhook gate');
    expect((await webhooks(h))[0]).toMatchObject({
      name: 'confirm',
      type: 'confirm-rollout',
      result: 'Failed',
      httpStatus: 403,
      attempts: 1,
      lastCalledAt: new Date(h.clock.now()).toISOString(),
    });
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    // Before the recheck interval nothing is called again.
    await h.pass();
    await tick();
    await h.pass();
    expect(hooks.to('/confirm')).toHaveLength(1);
    const warnings = (await h.events()).filter((e) => e.reason === 'WebhookCallFailed');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('confirm: HTTP 403');

    hooks.answers.set('/confirm', 200);
    h.clock.advance(GATE_RECHECK_MS);
    await passUntil(h, (s) => s.canaryWeight === 20);
    expect(hooks.to('/confirm')).toHaveLength(2);
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
    golden('confirm-rollout', hooks.to('/confirm')[0]?.body);
  });

  it('pre-rollout: a non-2xx after its retries aborts before any traffic moves', async () => {
    hooks = await new HookServer().start();
    hooks.answers.set('/smoke', 503);
    h = await startHarness({
      canary: canary({ webhooks: [hook(hooks, { type: 'pre-rollout', name: 'smoke', retries: 2 })] }),
    });
    await started(h);
    await passUntil(h, (s) => s.phase === 'Aborted');
    expect(hooks.to('/smoke')).toHaveLength(3);
    expect((await webhooks(h))[0]).toMatchObject({ result: 'Failed', httpStatus: 503, attempts: 3 });
    expect((await status(h)).message).toContain('smoke: HTTP 503 (3 attempts)');
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    golden('pre-rollout', hooks.to('/smoke')[0]?.body);
  });

  it('rollout: a call that times out after its retries is a failed check and aborts (onFailure Abort)', async () => {
    hooks = await new HookServer().start();
    hooks.answers.set('/load', 'hang');
    const load = hook(hooks, { type: 'rollout', name: 'load', timeout: '100ms', retries: 1 });
    h = await startHarness({
      canary: canary({ webhooks: [load], steps: [{ setWeight: 20 }, { setWeight: 50 }] }),
    });
    await started(h);
    await passUntil(h, (s) => s.phase === 'Aborted');
    expect(hooks.to('/load')).toHaveLength(2);
    expect((await webhooks(h))[0]).toMatchObject({ result: 'Error', attempts: 2 });
    expect((await webhooks(h))[0]?.httpStatus).toBeUndefined();
    expect((await status(h)).message).toContain('load: timed out after 100ms (2 attempts)');
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    golden('rollout', hooks.to('/load')[0]?.body);
  });

  it('confirm-promotion waits for a 2xx; post-rollout is told Succeeded and changes nothing', async () => {
    hooks = await new HookServer().start();
    hooks.answers.set('/promote', 409);
    hooks.answers.set('/done', 500);
    const spec = {
      steps: [{ setWeight: 30 }],
      webhooks: [
        hook(hooks, { type: 'confirm-promotion', name: 'promote' }),
        hook(hooks, { type: 'post-rollout', name: 'done' }),
      ],
    };
    h = await startHarness({ canary: canary(spec) });
    await started(h);
    await passUntil(
      h,
      (s) => s.webhooks?.some((w) => w.name === 'promote' && w.result === 'Failed') ?? false,
    );
    expect(await status(h)).toMatchObject({ phase: 'Progressing', canaryWeight: 30 });
    hooks.answers.set('/promote', 204);
    h.clock.advance(GATE_RECHECK_MS);
    await passUntil(h, (s) => s.phase === 'Promoting');
    await h.markRolledOut('podinfo-primary');
    await passUntil(h, (s) => s.webhooks?.some((w) => w.name === 'done' && w.result === 'Failed') ?? false);
    expect((await status(h)).phase).toBe('Succeeded');
    expect(hooks.to('/done')[0]?.body).toMatchObject({ type: 'post-rollout', phase: 'Succeeded' });
    golden('confirm-promotion', hooks.to('/promote')[0]?.body);
    golden('post-rollout', hooks.to('/done')[0]?.body);
  });

  it('rollback: a non-2xx changes nothing; a 2xx aborts at canary weight 0', async () => {
    hooks = await new HookServer().start();
    hooks.answers.set('/rollback', 404);
    h = await startHarness({
      canary: canary({
        webhooks: [hook(hooks, { type: 'rollback' })],
        steps: [{ setWeight: 20 }, { pause: {} }],
      }),
    });
    await started(h);
    await passUntil(h, (s) => s.webhooks?.[0]?.result === 'Failed');
    expect(await status(h)).toMatchObject({ phase: 'Paused', canaryWeight: 20 });
    expect((await h.events()).filter((e) => e.reason === 'WebhookCallFailed')).toEqual([]);
    hooks.answers.set('/rollback', 200);
    h.clock.advance(GATE_RECHECK_MS);
    await passUntil(h, (s) => s.phase === 'Aborted');
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    expect((await h.events()).some((e) => e.reason === 'RollbackRequested')).toBe(true);
    golden('rollback', hooks.to('/rollback')[0]?.body);
  });

  it('never shows the URL query or credentials in status or Events', async () => {
    hooks = await new HookServer().start();
    hooks.answers.set('/secret', 401);
    const url = hooks.url('/secret').replace('http://', 'http://user:p4ss@') + '?token=s3cret';
    h = await startHarness({ canary: canary({ webhooks: [{ name: 'secret', type: 'pre-rollout', url }] }) });
    await started(h);
    await passUntil(h, (s) => s.phase === 'Aborted');
    // The credentials went as Basic authorization, not in the URL fetch refuses.
    expect(hooks.to('/secret')).toHaveLength(1);
    const seen = JSON.stringify([await status(h), await h.events()]);
    expect(seen).toContain('secret: HTTP 401');
    expect(seen).not.toContain('s3cret');
    expect(seen).not.toContain('p4ss');
  });

  it('a hanging rollback and rollout gate never delay an abort from a failed analysis', async () => {
    hooks = await new HookServer().start();
    hooks.answers.set('/rollback', 'hang');
    hooks.answers.set('/load', 'hang');
    const template = successRateTemplate();
    (template.spec as { metrics: { count?: number }[] }).metrics[0]!.count = 100;
    h = await startHarness({
      templates: [template],
      canary: canary({
        steps: [{ setWeight: 20 }, { setWeight: 50 }],
        analysis: {
          templates: [{ templateName: 'success-rate' }],
          args: [{ name: 'workload', value: 'podinfo' }],
        },
        webhooks: [
          hook(hooks, { type: 'rollback', timeout: '5m' }),
          hook(hooks, { type: 'rollout', name: 'load', timeout: '5m' }),
        ],
      }),
    });
    h.provider.set('success_rate', 0.99);
    await started(h);
    await passUntil(h, () => hooks!.to('/rollback').length > 0 && hooks!.to('/load').length > 0);
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
    h.provider.set('success_rate', 0.5);
    // The pass that sees the failed analysis aborts; the hung calls (5 minutes each) are not awaited.
    for (let i = 0; i < 4 && (await status(h)).phase !== 'Aborted'; i += 1) {
      h.clock.advance(31 * SECOND);
      await h.pass();
    }
    expect(await status(h)).toMatchObject({ phase: 'Aborted', canaryWeight: 0 });
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    expect((await status(h)).message).toContain('success-rate');
    // Nobody waits for them any more: their entries say so.
    expect((await webhooks(h)).map((w) => w.result)).toEqual(['Cancelled', 'Cancelled']);
  });

  it('a controller restarted mid-call asks the gate again and advances once', async () => {
    hooks = await new HookServer().start();
    hooks.answers.set('/confirm', 'hang');
    h = await startHarness({
      canary: canary({
        webhooks: [hook(hooks, { type: 'confirm-rollout', name: 'confirm', timeout: '5m' })],
      }),
    });
    await started(h);
    await passUntil(h, () => hooks!.to('/confirm').length === 1);
    // A second controller process: its own client, no memory of the call under way.
    const client = createKubeClient(loadKubeConfig({ kubeconfig: h.sim.kubeconfigPath }).kubeConfig);
    const deps = assembleDeps({
      client,
      logger: pino({ level: 'silent' }),
      provider: h.provider,
      clock: h.clock.now,
    });
    hooks.answers.set('/confirm', 200);
    const restarted = () => reconcile(deps, { namespace: NS, name: 'podinfo' });
    await passUntil(h, (s) => s.canaryWeight === 20, restarted);
    expect(hooks.to('/confirm')).toHaveLength(2);
    // setWeight 20 is done at once (the canary is ready): the rollout waits in the 1m pause of step 2.
    expect(await status(h)).toMatchObject({ phase: 'Progressing', currentStepIndex: 1, canaryWeight: 20 });
    await restarted();
    await h.pass();
    expect(await status(h)).toMatchObject({ currentStepIndex: 1, canaryWeight: 20 });
    expect(hooks.to('/confirm')).toHaveLength(2);
    expect((await webhooks(h))[0]).toMatchObject({ result: 'Succeeded', httpStatus: 200 });
  });
});
