/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the
 * simulator, the emulated workloads and mesh, a real Prometheus and serin's controller: the page a
 * person uses, not the API alone.
 */
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.ts';
import { analysisStep, startScenario, waitForTraffic, type Scenario } from '../e2e/scenario.ts';
import { prometheusSkipReason } from '../harness/prometheus.ts';
import { CHROMIUM, launchBrowser, type Browser } from './browser.ts';
import { kubeconfigFileFor, serveDashboard, type ServedDashboard } from './serve.ts';

/** Why the browser suite cannot run here; in CI (CI=true) a missing browser fails instead, as Prometheus does. */
function chromiumSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const message = `no ${CHROMIUM}: apt-get install chromium`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${message}`);
  return message;
}

const skip = prometheusSkipReason() ?? chromiumSkipReason();
/** Screenshots land here; SERIN_UPDATE_SCREENSHOTS=1 copies them into docs/. */
const shots = mkdtempSync(join(tmpdir(), 'serin-dashboard-shots-'));

function screenshotPath(name: string): string {
  return join(shots, name);
}

function keepScreenshot(name: string): void {
  if (process.env.SERIN_UPDATE_SCREENSHOTS === '1') copyFileSync(screenshotPath(name), join('docs', name));
}

let stack: Stack;
let scenario: Scenario;
let browser: Browser;
let dashboard: ServedDashboard;

const steps = (ns: string) => [
  { setWeight: 20 },
  analysisStep(ns, ['istio-success-rate', 'istio-latency-p99']),
  { setWeight: 50 },
  { pause: {} },
];

beforeAll(async () => {
  if (skip !== undefined) return;
  stack = await startStack();
  scenario = await startScenario(stack, { steps, rps: 100 });
  await scenario.waitFor('Idle', (st) => st.phase === 'Idle');
  await waitForTraffic(stack.prometheus!.url, scenario.ns);
  browser = await launchBrowser();
  dashboard = await serveDashboard(['--kubeconfig', stack.sim.kubeconfigPath, '-n', scenario.ns]);
}, 90_000);

afterAll(async () => {
  if (skip !== undefined) return;
  await browser.close();
  expect(await dashboard.stop()).toBe(0);
  await scenario.stop();
  await stack.stop();
});

function rowOf(page: Page) {
  return page.locator(`tr[data-canary="${scenario.ns}/podinfo"]`);
}

/**
 * Every phase the row showed, in order, recorded in the page as the DOM changed. Browser code is
 * given as text: this file is type-checked for Node, which has no DOM.
 */
async function recordPhases(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const selector = ${JSON.stringify(`tr[data-canary="${scenario.ns}/podinfo"]`)};
    const seen = [];
    window.seenPhases = seen;
    const look = () => {
      const phase = document.querySelector(selector)?.getAttribute('data-phase');
      if (phase != null && seen.at(-1) !== phase) seen.push(phase);
    };
    look();
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  })()`);
}

describe.skipIf(skip !== undefined)('serin dashboard in a browser', () => {
  it('the list shows a Canary progressing live, from the watch, without a reload', async () => {
    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(dashboard.url);
    await expect.poll(() => rowOf(page).getAttribute('data-phase'), { timeout: 15_000 }).toBe('Idle');
    await recordPhases(page);
    await scenario.release('podinfo:2.0.0');
    await expect.poll(() => rowOf(page).getAttribute('data-phase'), { timeout: 90_000 }).toBe('Paused');
    const seen = await page.evaluate<string[]>('window.seenPhases');
    expect(seen[0]).toBe('Idle');
    expect(seen).toContain('Progressing');
    expect(seen.at(-1)).toBe('Paused');
    await expect.poll(() => rowOf(page).locator('.step').textContent()).toBe('4/4');
    expect(await rowOf(page).locator('.weights').getAttribute('aria-label')).toBe('primary 50%, canary 50%');
    // One page load, one stream: nothing polled, nothing fetched from outside the dashboard.
    expect(requests.filter((url) => url.endsWith('/api/canaries/stream'))).toHaveLength(1);
    expect(requests.every((url) => url.startsWith(dashboard.url))).toBe(true);
    await page.screenshot({ path: screenshotPath('dashboard-list.png'), fullPage: true });
    keepScreenshot('dashboard-list.png');
    await page.close();
  }, 120_000);

  it('the Canary page charts each metric’s measurements against the condition’s threshold', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${dashboard.url}#/canary/${scenario.ns}/podinfo`);
    const chart = page.locator('figure[data-metric="success-rate"]');
    await expect
      .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 15_000 })
      .toBe(3);
    expect(await chart.getAttribute('data-threshold')).toBe('0.99');
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    // The template's Prometheus is reachable here: a range query adds the metric's recent history.
    await expect
      .poll(() => chart.locator('.u-legend').textContent(), { timeout: 15_000 })
      .toContain('Prometheus (recent)');
    // uPlot's legend names the marks and the threshold line.
    expect(await chart.locator('.u-legend').textContent()).toContain('threshold >= 0.99');
    const latency = page.locator('figure[data-metric="latency-p99"]');
    expect(await latency.getAttribute('data-threshold')).toBe('500');
    expect(await page.locator('li[aria-current="step"]').textContent()).toContain('4');
    await page.screenshot({ path: screenshotPath('dashboard-canary.png'), fullPage: true });
    keepScreenshot('dashboard-canary.png');
    await page.close();
  }, 60_000);

  it('a user without create rights on approvals sees the buttons disabled, with the reason', async () => {
    stack.sim.forbid({
      user: 'viewer@example.com',
      verb: 'create',
      resource: 'approvals',
      namespace: scenario.ns,
    });
    const viewer = await serveDashboard([
      '--kubeconfig',
      kubeconfigFileFor(stack.sim, 'viewer@example.com'),
      '-n',
      scenario.ns,
    ]);
    try {
      const page = await browser.context.newPage();
      await page.goto(`${viewer.url}#/canary/${scenario.ns}/podinfo`);
      const buttons = page.locator('button[data-action]');
      await expect.poll(() => buttons.count(), { timeout: 15_000 }).toBe(6);
      for (const button of await buttons.all()) expect(await button.isDisabled()).toBe(true);
      expect(await page.locator('.denied').textContent()).toContain(
        'does not allow creating approvals.serin.dev',
      );
      await page.locator('.actions').screenshot({ path: screenshotPath('dashboard-denied.png') });
      keepScreenshot('dashboard-denied.png');
      await page.close();
    } finally {
      await viewer.stop();
    }
    // The same page as a user who may: enabled.
    const page = await browser.context.newPage();
    await page.goto(`${dashboard.url}#/canary/${scenario.ns}/podinfo`);
    await expect
      .poll(() => page.locator('button[data-action="Promote"]').isEnabled(), { timeout: 15_000 })
      .toBe(true);
    await page.close();
  }, 60_000);

  it('a forged POST without the session’s CSRF token, or from another origin, is refused and creates nothing', async () => {
    const approvals = async () =>
      (await stack.client.list('serin.dev/v1alpha1', 'Approval', { namespace: scenario.ns })).items.length;
    const before = await approvals();
    const target = `${dashboard.url}api/canaries/${scenario.ns}/podinfo/actions`;
    const body = JSON.stringify({ action: 'Abort', reason: 'forged' });
    // Same origin, no token (a script injected into the page without the meta tag's token).
    const page = await browser.context.newPage();
    await page.goto(dashboard.url);
    const sameOrigin = await page.evaluate(
      async ([url, data]) => {
        const res = await fetch(url!, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: data!,
        });
        return { status: res.status, text: await res.text() };
      },
      [target, body],
    );
    expect(sameOrigin.status).toBe(403);
    expect(sameOrigin.text).toContain('CSRF');
    // Another site's page posting a form to the dashboard (the classic CSRF).
    const evil: Server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(
        `<form id="f" method="POST" action="${target}" enctype="text/plain"><input name='{"action":"Abort","reason":"x' value='"}'></form>` +
          '<script>document.getElementById("f").submit()</script>',
      );
    });
    await new Promise<void>((resolve) => {
      evil.listen(0, '127.0.0.1', resolve);
    });
    const evilPage = await browser.context.newPage();
    const answered = evilPage.waitForResponse((res) => res.url() === target);
    await evilPage.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
    expect((await answered).status()).toBe(403);
    await evilPage.close();
    await new Promise<void>((resolve) => {
      evil.close(() => {
        resolve();
      });
      evil.closeAllConnections();
    });
    // The token alone, from elsewhere (no Origin of the dashboard's own), is not enough either.
    const tokenOnly = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example' },
      body,
    });
    expect(tokenOnly.status).toBe(403);
    expect(await approvals()).toBe(before);
    await page.close();
  }, 60_000);

  it('clicking Promote on the paused Canary, with a reason, leads to Applied and then Succeeded', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${dashboard.url}#/canary/${scenario.ns}/podinfo`);
    await expect
      .poll(() => page.locator('dd[data-phase]').getAttribute('data-phase'), { timeout: 15_000 })
      .toBe('Paused');
    // The state machine, asked on the Canary's status, takes Promote here and not Pause.
    expect(await page.locator('button[data-action="Promote"]').getAttribute('class')).toBe('applies');
    expect(await page.locator('button[data-action="Pause"]').getAttribute('class')).toBe('off-phase');
    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    // The dialog takes the keyboard: focus is in its labelled reason field; Tab, Tab reaches Confirm.
    const reason = page.getByLabel('Reason (required)');
    await expect.poll(() => page.evaluate<string>('document.activeElement.id')).toBe('reason');
    expect(await reason.count()).toBe(1);
    await page.keyboard.type('dashboards look good');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | null>("document.activeElement.getAttribute('data-confirm')")).toBe(
      'Promote',
    );
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('[data-outcome]').getAttribute('data-outcome'), { timeout: 30_000 })
      .toBe('applied');
    await expect
      .poll(() => page.locator('dd[data-phase]').getAttribute('data-phase'), { timeout: 60_000 })
      .toBe('Succeeded');
    await page.screenshot({ path: screenshotPath('dashboard-promoted.png') });
    keepScreenshot('dashboard-promoted.png');
    const approval = (
      await stack.client.list('serin.dev/v1alpha1', 'Approval', { namespace: scenario.ns })
    ).items.find((a) => (a.spec as { reason?: string }).reason === 'dashboards look good');
    expect(approval?.spec).toMatchObject({ action: 'Promote', approver: 'serin-sim' });
    await page.close();
  }, 90_000);
});
