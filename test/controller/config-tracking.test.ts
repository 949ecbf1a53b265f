import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.ts';
import { NS, startHarness, type Harness } from './harness.ts';
import { approve, startRollout, status, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

const SECRET_VALUE = 's3cr3t-hunter2';
const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'podinfo' };

function configMap(
  name: string,
  data: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) },
    data,
  };
}

/** The target mounts podinfo-config, takes env from podinfo-secret, and one key of podinfo-flags. */
async function withConfig(options: { skipFlags?: boolean } = {}): Promise<void> {
  h = await startHarness();
  await h.client.create(configMap('podinfo-config', { 'app.yaml': 'level: info' }));
  await h.client.create(
    configMap(
      'podinfo-flags',
      { beta: 'off' },
      options.skipFlags === true ? { 'serin.dev/skip-tracking': 'true' } : undefined,
    ),
  );
  await h.client.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'podinfo-secret', namespace: NS },
    stringData: { PASSWORD: SECRET_VALUE },
  });
  await h.client.mergePatch(DEPLOYMENT, {
    spec: {
      template: {
        spec: {
          volumes: [{ name: 'config', configMap: { name: 'podinfo-config' } }],
          containers: [
            {
              name: 'app',
              image: 'podinfo:1.0',
              envFrom: [{ secretRef: { name: 'podinfo-secret' } }],
              env: [{ name: 'BETA', valueFrom: { configMapKeyRef: { name: 'podinfo-flags', key: 'beta' } } }],
            },
          ],
        },
      },
    },
  });
}

interface PodSpec {
  volumes: { configMap?: { name: string } }[];
  containers: {
    envFrom: { secretRef?: { name: string } }[];
    env: { valueFrom: { configMapKeyRef: { name: string } } }[];
  }[];
}

async function podSpec(name: string): Promise<PodSpec> {
  const dep = await h.get('Deployment', name);
  return (dep?.spec as { template: { spec: PodSpec } }).template.spec;
}

async function data(kind: 'ConfigMap' | 'Secret', name: string): Promise<Record<string, string> | undefined> {
  const object = await h.client.find({ apiVersion: 'v1', kind, namespace: NS, name });
  return object?.data as Record<string, string> | undefined;
}

async function editConfig(value: string): Promise<void> {
  await h.client.mergePatch(
    { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'podinfo-config' },
    { data: { 'app.yaml': value } },
  );
}

describe('config changes are releases', () => {
  it('the primary gets copies <name>-primary of the ConfigMaps and Secrets its template uses, and points at them', async () => {
    await withConfig();
    await toIdle(h);
    expect(await data('ConfigMap', 'podinfo-config-primary')).toEqual({ 'app.yaml': 'level: info' });
    expect(await data('ConfigMap', 'podinfo-flags-primary')).toEqual({ beta: 'off' });
    expect(await data('Secret', 'podinfo-secret-primary')).toEqual(await data('Secret', 'podinfo-secret'));
    const primary = await podSpec('podinfo-primary');
    expect(primary.volumes[0]?.configMap?.name).toBe('podinfo-config-primary');
    expect(primary.containers[0]?.envFrom[0]?.secretRef?.name).toBe('podinfo-secret-primary');
    expect(primary.containers[0]?.env[0]?.valueFrom.configMapKeyRef.name).toBe('podinfo-flags-primary');
    // The target (the canary) keeps using the originals.
    expect((await podSpec('podinfo')).volumes[0]?.configMap?.name).toBe('podinfo-config');
  });

  it('a ConfigMap edit is a new revision that goes through the steps, and reaches the primary only by promotion', async () => {
    await withConfig();
    await toIdle(h);
    const before = await status(h);
    await editConfig('level: debug');
    await h.pass();
    const started = await status(h);
    expect(started).toMatchObject({ phase: 'Progressing', currentStepIndex: 0 });
    expect(started.revision).not.toBe(before.stableRevision);
    // Until promotion the primary's copy keeps the stable content.
    expect(await data('ConfigMap', 'podinfo-config-primary')).toEqual({ 'app.yaml': 'level: info' });
    await h.markRolledOut('podinfo');
    await h.pass();
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });

    await approve(h, 'PromoteFull');
    await h.pass();
    expect((await status(h)).phase).toBe('Promoting');
    expect(await data('ConfigMap', 'podinfo-config-primary')).toEqual({ 'app.yaml': 'level: debug' });
    await h.markRolledOut('podinfo-primary');
    await h.pass();
    expect(await status(h)).toMatchObject({ phase: 'Succeeded', stableRevision: started.revision });
  });

  it('a new ConfigMap content rolls the primary pods: its pod template changes with the content hash', async () => {
    await withConfig();
    await toIdle(h);
    const template = async () => JSON.stringify((await h.get('Deployment', 'podinfo-primary'))?.spec);
    const before = await template();
    await editConfig('level: warn');
    await h.pass();
    await h.markRolledOut('podinfo');
    await h.pass();
    await approve(h, 'PromoteFull');
    await h.pass();
    expect(await template()).not.toBe(before);
  });

  it("an abort during Promoting gives the primary's copies back the stable content with the stable template", async () => {
    await withConfig();
    await toIdle(h);
    await editConfig('level: debug');
    await h.pass();
    await h.markRolledOut('podinfo');
    await h.pass();
    await approve(h, 'PromoteFull');
    await h.pass();
    expect(await data('ConfigMap', 'podinfo-config-primary')).toEqual({ 'app.yaml': 'level: debug' });
    await approve(h, 'Abort');
    await h.pass();
    expect((await status(h)).phase).toBe('Aborted');
    expect(await data('ConfigMap', 'podinfo-config-primary')).toEqual({ 'app.yaml': 'level: info' });
    expect((await podSpec('podinfo-primary')).volumes[0]?.configMap?.name).toBe('podinfo-config-primary');
    // The Secret did not change: its copy was never touched and nothing was saved for it.
    expect(await data('Secret', 'podinfo-secret-primary-previous')).toBeUndefined();
  });

  it('the opt-out annotation serin.dev/skip-tracking: "true" leaves a ConfigMap untracked: no copy, no release', async () => {
    await withConfig({ skipFlags: true });
    await toIdle(h);
    expect(await data('ConfigMap', 'podinfo-flags-primary')).toBeUndefined();
    const primary = await podSpec('podinfo-primary');
    expect(primary.containers[0]?.env[0]?.valueFrom.configMapKeyRef.name).toBe('podinfo-flags');
    await h.client.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'podinfo-flags' },
      { data: { beta: 'on' } },
    );
    await h.pass();
    expect((await status(h)).phase).toBe('Idle');
  });

  it("a Secret's data never reaches the Canary's status or Events", async () => {
    await withConfig();
    await toIdle(h);
    await h.client.mergePatch(
      { apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'podinfo-secret' },
      { stringData: { PASSWORD: `${SECRET_VALUE}-rotated` } },
    );
    await h.pass();
    expect((await status(h)).phase).toBe('Progressing');
    const encoded = Buffer.from(SECRET_VALUE).toString('base64').slice(0, 12);
    const seen = JSON.stringify([await h.get('Canary', 'podinfo'), await h.events()]);
    expect(seen).not.toContain(SECRET_VALUE);
    expect(seen).not.toContain(encoded);
  });
});

describe('bad config input stalls the Canary, names the object, and moves no traffic', () => {
  async function midRollout(): Promise<void> {
    await withConfig();
    await toIdle(h);
    await startRollout(h);
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
  }

  async function expectStalled(reason: string, names: string): Promise<void> {
    const s = (await h.get('Canary', 'podinfo'))?.status as {
      conditions?: { type: string; status: string; reason?: string }[];
    };
    expect(s.conditions?.find((c) => c.type === 'Stalled')).toMatchObject({ status: 'True', reason });
    const event = (await h.events()).find((e) => e.reason === reason);
    expect(event?.type).toBe('Warning');
    expect(event?.message).toContain(names);
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
  }

  it('a ConfigMap that does not exist', async () => {
    await midRollout();
    await h.client.jsonPatch(DEPLOYMENT, [
      {
        op: 'add',
        path: '/spec/template/spec/volumes/-',
        value: { name: 'extra', configMap: { name: 'missing-config' } },
      },
    ]);
    await h.pass();
    await expectStalled('ConfigNotFound', 'ConfigMap "missing-config"');
  });

  it('an optional ConfigMap that does not exist is no problem', async () => {
    await midRollout();
    await h.client.jsonPatch(DEPLOYMENT, [
      {
        op: 'add',
        path: '/spec/template/spec/volumes/-',
        value: { name: 'extra', configMap: { name: 'missing-config', optional: true } },
      },
    ]);
    await h.pass();
    expect((await status(h)).phase).toBe('Progressing');
  });

  it('a Secret serin may not read (403)', async () => {
    await midRollout();
    h.sim.forbid({ verb: 'get', resource: 'secrets', name: 'podinfo-secret' });
    await h.pass();
    await expectStalled('ConfigForbidden', 'Secret "podinfo-secret"');
  });
});
