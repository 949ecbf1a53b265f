/**
 * `serin dashboard`'s HTTP API against the simulator alone (no browser, no controller): what the
 * page relies on, and what it refuses.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeClient, loadKubeConfig } from '../../src/kube/index.ts';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import { canary } from '../controller/harness.ts';
import { kubeconfigFileFor, serveDashboard, type ServedDashboard } from './serve.ts';

let sim: KubeSim | undefined;
let dashboard: ServedDashboard | undefined;
afterEach(async () => {
  await dashboard?.stop();
  await sim?.stop();
  dashboard = undefined;
  sim = undefined;
});

async function start(user?: string): Promise<{ sim: KubeSim; dashboard: ServedDashboard }> {
  sim = await startKubeSim({ port: 0, namespaces: ['shop'] });
  const client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
  const obj = canary();
  obj.metadata = { name: 'web', namespace: 'shop' };
  await client.create(obj);
  await client.mergePatch(
    { apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', namespace: 'shop', name: 'web' },
    { status: { phase: 'Progressing', revision: 'abc1234567', currentStepIndex: 0, canaryWeight: 20 } },
    { subresource: 'status' },
  );
  if (user !== undefined) sim.forbid({ user, verb: 'list', resource: 'canaries' });
  const kubeconfig = user === undefined ? sim.kubeconfigPath : kubeconfigFileFor(sim, user);
  dashboard = await serveDashboard(['--kubeconfig', kubeconfig, '-n', 'shop']);
  return { sim, dashboard };
}

/** The first server-sent event of a stream. */
async function firstEvent(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        // An event ends with a blank line; the stream opens with a `retry:` line that is not one.
        const data = /^data: (.*)\n\n/m.exec(buffer);
        if (data !== null) {
          resolve(JSON.parse(data[1] ?? 'null'));
          req.destroy();
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function post(url: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('serin dashboard’s API', () => {
  it('serves the page with its CSRF token, a strict Content-Security-Policy, and nothing from elsewhere', async () => {
    const { dashboard } = await start();
    const res = await fetch(dashboard.url);
    const html = await res.text();
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toMatch(/<meta name="serin-csrf" content="[\w-]{43}">/);
    expect(html).not.toMatch(/https?:\/\//);
    const js = await (await fetch(`${dashboard.url}app.js`)).text();
    expect(js.length).toBeGreaterThan(10_000);
    expect(js).not.toMatch(/(src|href)=["']https?:/);
  });

  it('streams the Canary list from the watch, starting with a snapshot', async () => {
    const { dashboard } = await start();
    expect(await firstEvent(`${dashboard.url}api/canaries/stream`)).toMatchObject({
      type: 'snapshot',
      items: [{ namespace: 'shop', name: 'web', phase: 'Progressing', weights: { primary: 80, canary: 20 } }],
    });
  });

  it('says in the stream why there is nothing to show when RBAC forbids listing Canaries', async () => {
    const { dashboard } = await start('nobody@example.com');
    expect(await firstEvent(`${dashboard.url}api/canaries/stream`)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(
        /^forbidden: you may not list canaries\.serin\.dev in namespace "shop"/,
      ) as unknown,
    });
  });

  it('refuses a request whose Host is not the dashboard’s own (DNS rebinding)', async () => {
    const { dashboard } = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(dashboard.url, { headers: { Host: 'rebound.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('answers an action with serin promote’s own refusal when the Canary is not where it applies, creating nothing', async () => {
    const { sim, dashboard } = await start();
    const page = await (await fetch(dashboard.url)).text();
    const token = /content="([\w-]+)"/.exec(page)?.[1] ?? '';
    const origin = dashboard.url.replace(/\/$/, '');
    const res = await post(
      `${dashboard.url}api/canaries/shop/web/actions`,
      { Origin: origin, 'x-serin-csrf': token },
      {
        action: 'Promote',
        reason: 'looks fine',
      },
    );
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      ok: false,
      error: expect.stringContaining('refused: Canary "web"') as unknown,
    });
    const approvals = sim.store.list('serin.dev/v1alpha1', 'Approval', 'shop');
    expect(approvals).toHaveLength(0);
  });
});
