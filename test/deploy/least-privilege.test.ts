/**
 * Least privilege, proven: the real `serin controller` (its own composition root, in this process)
 * runs as its ServiceAccount against the Kubernetes API simulator through initialisation, a good
 * release promoted by an Approval, a bad release aborted by its analysis, a Canary stalled on a
 * missing VirtualService, analysis that reads a Prometheus token from a Secret, leader election, a
 * failover, Events, and deleting the Canaries (the finalizer hands traffic back). The simulator authenticates each client by its token and records every request as
 * kube-apiserver's authorizer sees it; the roles rendered from deploy/ must allow every request the
 * controller sent and grant nothing it did not use. Requests from the test itself and from the
 * workload emulator carry other identities and do not count.
 *
 * Prometheus is a stub that answers the shipped templates' queries with chosen values: what is
 * under test is which Kubernetes requests the controller makes, not the measurements.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CanaryStatus } from '../../src/api/index.ts';
import type { KubeObject } from '../../src/kube/index.ts';
import { runCli } from '../../src/main.ts';
import { inNamespace, loadManifests } from '../../src/sim/examples.ts';
import type { AuditRecord, KubeconfigObject } from '../../src/sim/kube/index.ts';
import { startStack, type Stack } from '../../src/sim/stack.ts';
import { compare, grantedRules, renderKustomization, serviceAccountUser, type GrantedRule } from './rbac.ts';
import { eventually, poll } from '../support/index.ts';

const SA = { namespace: 'serin-system', name: 'serin-controller' };
const CONTROLLER_USER = serviceAccountUser(SA.namespace, SA.name);
const TOKEN = 'prometheus-reader-token';

type ResourceRecord = Extract<AuditRecord, { kind: 'resource' }>;

/** A Prometheus stand-in: success rate and p99 answer what the scenario wants; it notes the bearer tokens it saw. */
class PrometheusStub {
  successRate = 1;
  readonly tokens = new Set<string>();
  readonly #server: Server;
  constructor() {
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const query = url.searchParams.get('query') ?? '';
      const auth = req.headers.authorization;
      if (auth !== undefined) this.tokens.add(auth.replace(/^Bearer /, ''));
      const value = query.startsWith('serin_test_latency_p99') ? 40 : this.successRate;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }] },
        }),
      );
    });
  }
  async start(): Promise<string> {
    await new Promise<void>((ok) => this.#server.listen(0, '127.0.0.1', ok));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    await new Promise<void>((ok) =>
      this.#server.close(() => {
        ok();
      }),
    );
  }
}

function writeKubeconfigFile(dir: string, kc: KubeconfigObject): string {
  const path = join(dir, 'kubeconfig.yaml');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: kc.clusters.map((c) => ({
      name: c.name,
      cluster: { server: c.server, 'insecure-skip-tls-verify': true },
    })),
    users: kc.users.map((u) => ({ name: u.name, user: { token: u.token } })),
    contexts: kc.contexts.map((c) => ({ name: c.name, context: { cluster: c.cluster, user: c.user } })),
    'current-context': kc.currentContext,
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
  return path;
}

/** An AnalysisTemplate (or ClusterAnalysisTemplate) with one metric whose query the stub recognises. */
function template(
  kind: string,
  name: string,
  metric: { name: string; query: string; condition: string; prometheus: Record<string, unknown> },
): KubeObject {
  return {
    apiVersion: 'serin.dev/v1alpha1',
    kind,
    metadata: { name },
    spec: {
      args: [{ name: 'namespace' }],
      metrics: [
        {
          name: metric.name,
          interval: '1s',
          count: 2,
          successCondition: metric.condition,
          // A pass waits two scrape intervals after the canary's first traffic: keep them short.
          provider: { prometheus: { ...metric.prometheus, scrapeInterval: '1s', query: metric.query } },
        },
      ],
    },
  };
}

/**
 * The manifests of one namespace: the example service and its Canary, a namespaced template that
 * reads its Prometheus token from a Secret, a cluster-wide template, and a second Canary that
 * stalls. The templates are the test's own: what matters here is the controller's requests, and
 * the shipped templates' queries and guards are for a real Prometheus.
 */
function manifests(ns: string, prometheus: string): KubeObject[] {
  const token = { name: 'prometheus-token', key: 'token' };
  const success = template('AnalysisTemplate', 'success-rate', {
    name: 'success-rate',
    query: 'serin_test_success_rate{namespace="{{args.namespace}}"}',
    condition: 'result >= 0.99',
    prometheus: { address: prometheus, bearerTokenSecretRef: token },
  });
  const clusterLatency = template('ClusterAnalysisTemplate', `${ns}-latency-p99`, {
    name: 'latency-p99',
    query: 'serin_test_latency_p99{namespace="{{args.namespace}}"}',
    condition: 'result <= 500',
    prometheus: { address: prometheus },
  });
  const [canary, ...service] = loadManifests('docs/examples/canary.yaml', 'docs/examples/podinfo.yaml');
  const spec = canary!.spec as Record<string, unknown>;
  spec.abortScaleDownDelaySeconds = 1;
  spec.steps = [
    { setWeight: 10 },
    {
      analysis: {
        templates: [{ templateName: 'success-rate' }, { clusterTemplateName: `${ns}-latency-p99` }],
        args: [{ name: 'namespace', value: ns }],
      },
    },
    { setWeight: 50 },
    { pause: {} },
  ];
  // A second Canary whose VirtualService does not exist: it stalls, and says so in Events.
  const stalled = structuredClone(canary!);
  stalled.metadata = { name: 'orphan' };
  (
    stalled.spec as { trafficRouting: { istio: { virtualServices: { name: string }[] } } }
  ).trafficRouting.istio.virtualServices = [{ name: 'missing' }];
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: token.name },
    stringData: { [token.key]: TOKEN },
  };
  return [
    clusterLatency,
    ...inNamespace([secret, success, ...withReferences(service), canary!, stalled], ns),
  ];
}

/**
 * The target takes env from a ConfigMap and a Secret, and an HPA scales it: serin copies all three
 * for the primary (docs/controller.md, "Autoscalers" and "Config changes are releases").
 */
function withReferences(service: KubeObject[]): KubeObject[] {
  const deployment = service.find((o) => o.kind === 'Deployment')!;
  const template = (deployment.spec as { template: { spec: { containers: Record<string, unknown>[] } } })
    .template;
  template.spec.containers[0]!.envFrom = [
    { configMapRef: { name: 'podinfo-config' } },
    { secretRef: { name: 'podinfo-env' } },
  ];
  const config = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'podinfo-config' },
    data: { LEVEL: 'info' },
  };
  const env = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'podinfo-env' },
    stringData: { KEY: 'one' },
  };
  const hpa = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'podinfo' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      minReplicas: 1,
      maxReplicas: 4,
    },
  };
  return [config, env, hpa, ...service];
}

/** One Canary's life in a namespace: initialised, a good release approved, a bad one aborted. */
class Release {
  constructor(
    private readonly stack: Stack,
    private readonly prometheus: PrometheusStub,
    readonly ns: string,
  ) {}

  async status(name = 'podinfo'): Promise<CanaryStatus> {
    const canary = await this.stack.client.get({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Canary',
      namespace: this.ns,
      name,
    });
    return canary.status ?? {};
  }

  async waitFor(what: string, check: (s: CanaryStatus) => boolean, name = 'podinfo'): Promise<CanaryStatus> {
    let last: CanaryStatus = {};
    return poll(
      async () => {
        last = await this.status(name);
        return check(last) ? last : undefined;
      },
      `${what} of ${this.ns}/${name}`,
      {
        timeoutMs: 45_000,
        intervalMs: 100,
        detail: () =>
          `phase ${last.phase ?? '-'}, ${last.message ?? ''}; analysis ${JSON.stringify(last.analysis?.map((run) => run.metrics.map((m) => [m.name, m.phase, m.message, m.measurements.at(-1)])))}`,
      },
    );
  }

  async release(image: string): Promise<void> {
    await this.stack.client.jsonPatch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: this.ns, name: 'podinfo' },
      [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }],
    );
  }

  async run(): Promise<void> {
    await this.stack.namespace(this.ns);
    await this.stack.apply(manifests(this.ns, this.prometheusUrl));
    await this.waitFor('Idle', (s) => s.phase === 'Idle');
    await this.waitFor(
      'Stalled',
      (s) => s.conditions?.some((c) => c.type === 'Stalled' && c.status === 'True') ?? false,
      'orphan',
    );

    await this.upgradedFromOwnedObjects();

    // The user's HPA changes: serin brings <hpa>-primary in line (patch).
    await this.stack.client.mergePatch(
      { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace: this.ns, name: 'podinfo' },
      { spec: { maxReplicas: 5 } },
    );
    await this.waitForPrimaryHpaMax(5);

    this.prometheus.successRate = 1;
    // New configuration with the new image: the promotion patches the primary's copies.
    await this.stack.client.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: this.ns, name: 'podinfo-config' },
      { data: { LEVEL: 'debug' } },
    );
    await this.stack.client.mergePatch(
      { apiVersion: 'v1', kind: 'Secret', namespace: this.ns, name: 'podinfo-env' },
      { stringData: { KEY: 'two' } },
    );
    await this.release('podinfo:2.0.0');
    const waiting = await this.waitFor(
      'the approval step',
      (s) => s.phase === 'Paused' && s.pauseReason === 'Manual',
    );
    await this.stack.client.create({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Approval',
      metadata: { generateName: 'podinfo-', namespace: this.ns },
      spec: {
        canaryRef: { name: 'podinfo' },
        action: 'Promote',
        revision: waiting.revision,
        step: waiting.currentStepIndex,
        approver: 'oncall@example.com',
      },
    });
    await this.waitFor('Succeeded', (s) => s.phase === 'Succeeded');

    this.prometheus.successRate = 0.5;
    const promoted = (await this.status()).revision;
    await this.release('podinfo:2.0.1');
    const ended = await this.waitFor(
      'the bad release to end',
      (s) => s.revision !== promoted && (s.phase === 'Aborted' || s.phase === 'Succeeded'),
    );
    expect(ended.phase).toBe('Aborted');
    await this.waitFor('the scale-down', (s) => s.canaryScaleDownAt === undefined);
  }

  /**
   * An installation upgraded from a serin that made the Canary own its primary and Services: the
   * controller removes those owner references (src/controller/finalize.ts `disown`).
   */
  async upgradedFromOwnedObjects(): Promise<void> {
    const canary = await this.stack.client.get({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Canary',
      namespace: this.ns,
      name: 'podinfo',
    });
    const owner = {
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Canary',
      name: 'podinfo',
      uid: canary.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
    const owned = [
      { apiVersion: 'v1', kind: 'Service', namespace: this.ns, name: 'podinfo-primary' },
      { apiVersion: 'v1', kind: 'Service', namespace: this.ns, name: 'podinfo-canary' },
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: this.ns, name: 'podinfo-primary' },
    ];
    for (const ref of owned)
      await this.stack.client.mergePatch(ref, { metadata: { ownerReferences: [owner] } });
    await eventually(
      async () => {
        const objects = await Promise.all(owned.map((ref) => this.stack.client.get(ref)));
        return objects.every((o) => o.metadata.ownerReferences === undefined);
      },
      `the controller to remove the Canary's owner references in ${this.ns}`,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  async waitForPrimaryHpaMax(max: number): Promise<void> {
    const ref = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace: this.ns };
    await eventually(
      async () => {
        const copy = await this.stack.client.find({ ...ref, name: 'podinfo-primary' });
        return (copy?.spec as { maxReplicas?: number } | undefined)?.maxReplicas === max;
      },
      `podinfo-primary HPA in ${this.ns} to follow maxReplicas ${max}`,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  /** The orphan Canary's Warning Event, recorded again and again while it stays stalled. */
  async stalledEventCount(): Promise<number> {
    const events = await this.stack.client.list('v1', 'Event', { namespace: this.ns });
    const event = events.items.find(
      (e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === 'orphan',
    ) as { count?: number } | undefined;
    return event?.count ?? 0;
  }

  /** Waits until the stalled Canary's Event has been counted again (by a new leader, after a failover). */
  async waitForStalledEventAfter(count: number): Promise<void> {
    await eventually(
      async () => (await this.stalledEventCount()) > count,
      `the stalled Canary's Event in ${this.ns} to be recorded again (count ${count})`,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  async deleteCanaries(): Promise<void> {
    const ref = (name: string) => ({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Canary',
      namespace: this.ns,
      name,
    });
    for (const name of ['podinfo', 'orphan']) await this.stack.client.delete(ref(name));
    await eventually(
      async () => {
        const left = await Promise.all(
          ['podinfo', 'orphan'].map((name) => this.stack.client.find(ref(name))),
        );
        return left.every((c) => c === undefined);
      },
      `the Canaries in ${this.ns} to be released by their finalizer`,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  prometheusUrl = '';
}

/**
 * The life of one installation: the scenarios under one replica, then a failover to another replica
 * (a second `serin controller` with the same identity), which takes the Lease and aggregates the
 * Event the first one recorded.
 */
async function exercise(release: Release, start: () => { stop: () => Promise<number> }): Promise<void> {
  // A fresh installation: no Lease yet, so the first replica creates it.
  await stack.client.delete({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    namespace: SA.namespace,
    name: 'serin-controller',
  });
  stack.sim.audit.clear();
  const first = start();
  try {
    await release.run();
  } finally {
    expect(await first.stop()).toBe(0);
  }
  const before = await release.stalledEventCount();
  const second = start();
  try {
    await release.waitForStalledEventAfter(before);
    // Deleting the Canaries: the finalizer hands traffic back, then lets them go.
    await release.deleteCanaries();
  } finally {
    expect(await second.stop()).toBe(0);
  }
}

/** Runs `serin controller` as the ServiceAccount until stop() resolves. */
function startController(stack: Stack, dir: string, extraArgs: string[]): { stop: () => Promise<number> } {
  const kubeconfig = writeKubeconfigFile(dir, stack.sim.kubeconfigFor(CONTROLLER_USER));
  const abort = new AbortController();
  const exited = runCli(
    [
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--lease-namespace',
      SA.namespace,
      '--metrics-addr',
      '127.0.0.1:0',
      '--log-level',
      'error',
      ...extraArgs,
    ],
    { signal: abort.signal, out: () => {}, err: () => {} },
  );
  return {
    stop: async () => {
      abort.abort();
      return exited;
    },
  };
}

function controllerRequests(stack: Stack): ResourceRecord[] {
  return stack.sim.audit
    .entries()
    .filter((r): r is ResourceRecord => r.kind === 'resource' && r.user === CONTROLLER_USER);
}

function expectExactly(granted: GrantedRule[], requests: ResourceRecord[]): void {
  const found = compare(granted, requests);
  expect(found.wildcards, 'rules with a wildcard').toEqual([]);
  expect(found.missing, 'requests the roles do not allow').toEqual([]);
  expect(found.unused, 'grants the controller never used').toEqual([]);
}

let stack: Stack;
let prometheus: PrometheusStub;
let prometheusUrl: string;
let dir: string;

beforeAll(async () => {
  stack = await startStack({ prometheus: false, startupDelayMs: 50 });
  prometheus = new PrometheusStub();
  prometheusUrl = await prometheus.start();
  dir = mkdtempSync(join(tmpdir(), 'serin-least-privilege-'));
  await stack.namespace(SA.namespace);
}, 60_000);

afterAll(async () => {
  await stack.stop();
  await prometheus.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the controller’s RBAC grants exactly what it uses', () => {
  it('cluster-wide (deploy/default): the ClusterRole and the Lease Role', async () => {
    const release = new Release(stack, prometheus, 'lp-cluster');
    release.prometheusUrl = prometheusUrl;
    await exercise(release, () => startController(stack, dir, []));
    expect(prometheus.tokens).toEqual(new Set([TOKEN]));
    const requests = controllerRequests(stack);
    // Every request carried the ServiceAccount's identity: discovery aside, nothing was anonymous.
    expect(stack.sim.audit.entries().filter((r) => r.user === 'system:anonymous')).toEqual([]);
    expectExactly(grantedRules(renderKustomization('deploy/default'), SA), requests);
    // Beyond resources, only discovery, which every authenticated user may read (system:discovery).
    const paths = stack.sim.audit
      .entries()
      .filter((r) => r.kind === 'nonResource' && r.user === CONTROLLER_USER)
      .map((r) => (r.kind === 'nonResource' ? r.path : ''));
    expect(paths.filter((p) => !/^\/(api|apis)(\/[^/]+){0,2}$|^\/version$/.test(p))).toEqual([]);
  }, 120_000);

  it('one namespace (deploy/namespaced): a Role in the watched namespace, and the Lease Role', async () => {
    prometheus.tokens.clear();
    const release = new Release(stack, prometheus, 'team-a');
    release.prometheusUrl = prometheusUrl;
    await exercise(release, () => startController(stack, dir, ['--namespace', 'team-a']));
    expect(prometheus.tokens).toEqual(new Set([TOKEN]));
    expectExactly(grantedRules(renderKustomization('deploy/namespaced'), SA), controllerRequests(stack));
  }, 120_000);
});
