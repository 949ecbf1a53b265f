/**
 * The dashboard (issue 16): its bundle's size, gzipped (the limit is 150 KB), and the time to first
 * meaningful paint of the Canary list with 200 Canaries in Debian's chromium: from navigation start
 * to the list rendered with every row (the page's `serin-list-rendered` mark), median of 5 fresh
 * page loads against `serin dashboard -A` over the simulator.
 */
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { buildAssets } from '../../src/dashboard/bundle.ts';
import { createKubeClient, loadKubeConfig } from '../../src/kube/index.ts';
import { startKubeSim } from '../../src/sim/kube/index.ts';
import { canary } from '../controller/harness.ts';
import { CHROMIUM, launchBrowser } from '../dashboard/browser.ts';
import { serveDashboard } from '../dashboard/serve.ts';

const CANARIES = 200;
const RUNS = 5;
const LIMIT_KB = 150;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

async function bundleSize(): Promise<void> {
  const { js, css } = await buildAssets();
  const gzJs = gzipSync(js).length;
  const gzCss = gzipSync(css).length;
  console.log(
    `dashboard bundle: ${kb(gzJs + gzCss)} gzipped (app.js ${kb(gzJs)}, app.css ${kb(gzCss)}; ` +
      `raw ${kb(js.length + css.length)}); limit ${LIMIT_KB} KB: ${gzJs + gzCss <= LIMIT_KB * 1024 ? 'within' : 'OVER'}`,
  );
}

async function firstPaint(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`dashboard first paint: not measured (no ${CHROMIUM}; apt-get install chromium)`);
    return;
  }
  const namespaces = ['team-0', 'team-1', 'team-2', 'team-3'];
  const sim = await startKubeSim({ port: 0, namespaces });
  const client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
  for (let i = 0; i < CANARIES; i++) {
    const obj = canary();
    const namespace = namespaces[i % namespaces.length] ?? 'team-0';
    obj.metadata = { name: `svc-${i}`, namespace };
    await client.create(obj);
    await client.mergePatch(
      { apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', namespace, name: `svc-${i}` },
      { status: { phase: 'Progressing', revision: 'abc1234567', currentStepIndex: 1, canaryWeight: 20 } },
      { subresource: 'status' },
    );
  }
  const dashboard = await serveDashboard(['--kubeconfig', sim.kubeconfigPath, '-A']);
  const browser = await launchBrowser();
  try {
    const times: number[] = [];
    const paints: number[] = [];
    const scripts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.context.newPage();
      await page.goto(dashboard.url);
      await page.waitForSelector(`tbody tr:nth-child(${CANARIES})`);
      const mark = await page.evaluate<{ at: number; rows: number; fcp: number; script: number }>(
        `(() => { const m = performance.getEntriesByName('serin-list-rendered')[0];
          const fcp = performance.getEntriesByName('first-contentful-paint')[0];
          const script = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/app.js'));
          return { at: m.startTime, rows: m.detail, fcp: fcp ? fcp.startTime : NaN, script: script ? script.responseEnd : NaN }; })()`,
      );
      if (mark.rows !== CANARIES) throw new Error(`the first render had ${mark.rows} rows, not ${CANARIES}`);
      times.push(mark.at);
      paints.push(mark.fcp);
      scripts.push(mark.script);
      await page.close();
    }
    console.log(
      `dashboard first meaningful paint, ${CANARIES} Canaries (-A): median ${median(times).toFixed(0)} ms of ${RUNS} ` +
        `page loads (from navigation start to the list rendered with every row; ${times.map((t) => t.toFixed(0)).join(', ')}); ` +
        `first contentful paint (the "Loading" line) median ${median(paints).toFixed(0)} ms, app.js loaded at ${median(scripts).toFixed(0)} ms`,
    );
  } finally {
    await browser.close();
    await dashboard.stop();
    await sim.stop();
  }
}

export async function run(): Promise<void> {
  await bundleSize();
  await firstPaint();
}
