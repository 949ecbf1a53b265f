import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { KubeObject } from '../../../src/kube/index.ts';
import { canary, NS, startHarness, type Harness } from '../../controller/harness.ts';
import { startRollout, status, toIdle } from '../../controller/rollout-helpers.ts';
import { json, startRecordingServer, type RecordingServer } from './recording-server.ts';

/**
 * A web metric decides a rollout in the controller, tick by tick: the smoke endpoint is a local
 * server that records what it receives; Prometheus is never asked.
 */

let h: Harness | undefined;
let server: RecordingServer;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  await server.close();
});

const SECOND = 1000;

function smokeTemplate(url: string, provider?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'smoke', namespace: NS },
    spec: {
      args: [{ name: 'suite', value: 'checkout' }],
      metrics: [
        {
          name: 'smoke-failures',
          count: 1,
          successCondition: 'result == 0',
          provider: provider ?? {
            web: {
              method: 'POST',
              url: `${url}/run/{{canary.workload}}`,
              headers: [
                { name: 'Authorization', valueFrom: { secretKeyRef: { name: 'smoke-token', key: 'token' } } },
              ],
              body: '{"suite": "{{args.suite}}", "revision": "{{canary.revision}}"}',
              timeout: '5s',
              jsonPath: '$.summary.failed',
            },
          },
        },
      ],
    },
  };
}

const smokeCanary = () =>
  canary({
    steps: [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: 'smoke' }] } },
      { setWeight: 50 },
      { pause: {} },
    ],
  });

/** The AnalysisTemplate CRD of a newer serin, which knows more providers: any provider object is stored. */
function newerTemplateCrd(): string {
  const crd = parse(readFileSync('crds/analysistemplates.serin.dev.yaml', 'utf8'));
  const metric = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.metrics.items;
  metric.properties.provider = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  metric['x-kubernetes-validations'] = [];
  const file = join(mkdtempSync(join(tmpdir(), 'serin-newer-crd-')), 'analysistemplates.yaml');
  writeFileSync(file, stringify(crd));
  return file;
}

async function toAnalysis(template: KubeObject, crdFiles?: string[]): Promise<Harness> {
  const harness = await startHarness({
    canary: smokeCanary(),
    templates: [template],
    ...(crdFiles ? { crdFiles } : {}),
  });
  await harness.client.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'smoke-token', namespace: NS },
    data: { token: Buffer.from('Bearer smoke-s3cret\n').toString('base64') },
  });
  await toIdle(harness);
  await startRollout(harness);
  expect(await harness.weights()).toEqual({ primary: 80, canary: 20 });
  return harness;
}

describe('a web metric in a rollout', () => {
  it('continues to the next step when the smoke test reports no failures', async () => {
    server = await startRecordingServer(json({ summary: { failed: 0, passed: 12 } }));
    h = await toAnalysis(smokeTemplate(server.url));
    await h.pass();
    await h.pass();
    const after = await status(h);
    expect(after.analysis?.[0]).toMatchObject({ phase: 'Successful' });
    expect(after.analysis?.[0]?.metrics[0]?.measurements[0]).toMatchObject({
      phase: 'Successful',
      value: '0',
    });
    await h.pass();
    expect(await h.weights()).toEqual({ primary: 50, canary: 50 });
    // One request, to the configured URL, with the Secret's header and the JSON-encoded args.
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/run/podinfo' });
    expect(request?.headers.authorization).toBe('Bearer smoke-s3cret');
    expect(JSON.parse(request?.body ?? '')).toEqual({ suite: 'checkout', revision: after.revision });
    expect(h.provider.sent).toEqual([]);
  });

  it('rolls the canary back when the smoke test reports failures', async () => {
    server = await startRecordingServer(json({ summary: { failed: 3, passed: 9 } }));
    h = await toAnalysis(smokeTemplate(server.url));
    await h.pass();
    await h.pass();
    const after = await status(h);
    expect(after.phase).toBe('Aborted');
    expect(after.analysis?.[0]?.metrics[0]?.measurements[0]).toMatchObject({ phase: 'Failed', value: '3' });
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    const events = (await h.events()).map((e) => e.message).join('\n');
    expect(events).toContain('smoke-failures Failed: 3 (successCondition: result == 0)');
  });

  it('rolls back, never passes, when the smoke endpoint answers 500 every time', async () => {
    server = await startRecordingServer(json({ summary: { failed: 0 } }, 500));
    h = await toAnalysis(smokeTemplate(server.url));
    for (let pass = 0; pass < 12; pass++) {
      await h.pass();
      h.clock.advance(10 * SECOND);
    }
    const after = await status(h);
    expect(after.phase).toBe('Aborted');
    const measurements = after.analysis?.[0]?.metrics[0]?.measurements ?? [];
    expect(measurements.length).toBeGreaterThan(0);
    expect(measurements.every((m) => m.phase === 'Error')).toBe(true);
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
  });

  it('is refused by the API server when a metric names a provider the CRD does not know', async () => {
    server = await startRecordingServer();
    await expect(toAnalysis(smokeTemplate(server.url, { datadog: { query: 'avg:errors' } }))).rejects.toThrow(
      /spec\.metrics\[0\]\.provider: Invalid value: "object": must set exactly one of prometheus, judge, web/,
    );
  });

  it('leaves traffic where it is when a newer CRD let in a provider this controller does not know', async () => {
    server = await startRecordingServer();
    h = await toAnalysis(smokeTemplate(server.url), [newerTemplateCrd()]);
    const ref = { apiVersion: 'serin.dev/v1alpha1', kind: 'AnalysisTemplate', namespace: NS, name: 'smoke' };
    await h.client.jsonPatch(ref, [
      { op: 'replace', path: '/spec/metrics/0/provider', value: { datadog: { query: 'avg:errors' } } },
    ]);
    const before = await h.vsYaml();
    h.clock.advance(61 * SECOND);
    await h.pass();
    expect(await h.vsYaml()).toBe(before);
    const stalled = (await h.get('Canary', 'podinfo'))?.status as {
      message: string;
      conditions: { type: string; reason: string }[];
    };
    expect(stalled.conditions.find((c) => c.type === 'Stalled')?.reason).toBe('InvalidTemplate');
    expect(stalled.message).toContain(
      'spec.metrics[0].provider: must set exactly one of prometheus, judge, web',
    );
    expect(server.requests).toEqual([]);
    expect(h.provider.sent).toEqual([]);
  });
});
