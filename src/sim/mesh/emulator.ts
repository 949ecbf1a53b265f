import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { ResourceCache, type KubeClient, type KubeLogger, type KubeObject } from '../../kube/index.ts';
import type { Endpoint, EndpointSource } from '../workload/index.ts';
import { serviceOf } from './hosts.ts';
import { IstioMetrics } from './istio-metrics.ts';
import { Pacer, rateAt, type RpsSchedule } from './load.ts';
import { decideRoute, pickDestination, type OutboundRequest, type RouteDecision } from './routing.ts';
import { TrafficLog, type TrafficCounts } from './traffic-log.ts';
import { UpstreamCaller } from './upstream.ts';

/** Options for {@link startMeshEmulator}. */
export interface MeshEmulatorOptions {
  /** Reaches the API server (the simulator) over HTTP; VirtualServices and Services are watched. */
  client: KubeClient;
  /** The load generator's namespace (short hosts resolve here). */
  namespace: string;
  /** The service the load generator calls: short name, `name.namespace` or FQDN. */
  host: string;
  /** Requests per second; 0 sends nothing until {@link MeshEmulator.setRps} or {@link MeshEmulator.send}. */
  rps: number;
  /** A rate that varies over time (replaces `rps` while set). */
  rpsSchedule?: RpsSchedule;
  /** Where the pods are: the workload emulator. */
  workloadEmulator: EndpointSource;
  /** Request path (default `/`), headers (default none) and service port (default 80) for route matches. */
  path?: string;
  headers?: Record<string, string>;
  port?: number;
  /** The load generator's workload name (default `loadgenerator`) and pod labels (default `{app: name}`). */
  sourceWorkload?: string;
  sourceLabels?: Record<string, string>;
  /** Pacing tick (default 50 ms). */
  tickMs?: number;
  /** Upstream timeout, reported as 504 UT (default 10 s). */
  requestTimeoutMs?: number;
  /** Requests in flight beyond which the generator sheds load instead of queueing (default 512). */
  maxInFlight?: number;
  /** Randomness for weighted routing; Math.random by default. */
  random?: () => number;
  /** Wall clock for the traffic log (default Date.now). */
  now?: () => number;
  logger?: KubeLogger;
  /** The VirtualService version to watch (default `networking.istio.io/v1`). */
  virtualServiceApiVersion?: string;
  /** Routing decisions kept for {@link MeshEmulator.requestsSince} (default 262144). */
  trafficLogCapacity?: number;
}

/** The fate of one request. */
export interface RequestOutcome {
  /** The workload (`namespace/name`) that served it, or undefined when unrouted. */
  workload: string | undefined;
  /** Why it went nowhere, when unrouted. */
  unrouted: string | undefined;
  code: number;
  durationMs: number;
}

/** A running mesh emulator. */
export interface MeshEmulator {
  /** `http://127.0.0.1:<port>/metrics`: Istio's standard metrics in Prometheus text format. */
  readonly metricsUrl: string;
  /** The registry behind /metrics (its own, not prom-client's global one). */
  readonly registry: Registry;
  /** Changes the rate now; also ends any rpsSchedule. */
  setRps(rps: number): void;
  /** The rate in force. */
  currentRps(): number;
  /** Sends `count` requests at once (besides the paced load) and waits for all of them. */
  send(count: number): Promise<RequestOutcome[]>;
  /** The route the sidecar would take now, from the configuration it has received so far. */
  route(): RouteDecision;
  /** Where requests went since `sinceMs` (by routing time), per workload and response code. */
  requestsSince(sinceMs: number): TrafficCounts;
  /** Paced requests dropped because `maxInFlight` were outstanding. */
  shed(): number;
  /** Stops the load, waits for requests in flight, stops watching and closes /metrics. */
  stop(): Promise<void>;
}

/**
 * Starts a load generator with an emulated Envoy sidecar: each request is routed by the current
 * weights of the VirtualService for `host` (learned through a watch, as Envoy learns from istiod),
 * then through the Service's selector to the workload emulator's app; the destination side's
 * Istio metrics are served on /metrics.
 */
export async function startMeshEmulator(opts: MeshEmulatorOptions): Promise<MeshEmulator> {
  const mesh = new Mesh(opts);
  await mesh.start();
  return mesh;
}

class Mesh implements MeshEmulator {
  metricsUrl = '';
  readonly registry: Registry;
  readonly #opts: MeshEmulatorOptions;
  readonly #metrics = new IstioMetrics();
  readonly #log: TrafficLog;
  readonly #virtualServices: ResourceCache;
  readonly #services: ResourceCache;
  readonly #upstream: UpstreamCaller;
  readonly #pacer = new Pacer();
  readonly #inFlight = new Set<Promise<RequestOutcome>>();
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #server: Server;
  #rps: number;
  #schedule: RpsSchedule | undefined;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #lastTick = 0;
  #shed = 0;
  #stopped = false;

  constructor(opts: MeshEmulatorOptions) {
    this.#opts = opts;
    this.registry = this.#metrics.registry;
    this.#log = new TrafficLog(opts.trafficLogCapacity);
    this.#random = opts.random ?? Math.random;
    this.#now = opts.now ?? Date.now;
    this.#rps = opts.rps;
    this.#schedule = opts.rpsSchedule;
    const common = {
      client: opts.client,
      backoff: { initialMs: 50, maxMs: 2_000 },
      ...(opts.logger === undefined ? {} : { logger: opts.logger }),
    };
    // Cluster-wide, like istiod: a route may name a Service in another namespace.
    this.#virtualServices = new ResourceCache({
      ...common,
      apiVersion: opts.virtualServiceApiVersion ?? 'networking.istio.io/v1',
      kind: 'VirtualService',
    });
    this.#services = new ResourceCache({ ...common, apiVersion: 'v1', kind: 'Service' });
    this.#upstream = new UpstreamCaller({
      timeoutMs: opts.requestTimeoutMs ?? 10_000,
      maxSockets: opts.maxInFlight ?? 512,
    });
    this.#server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.#metrics.exposition().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
  }

  async start(): Promise<void> {
    this.#virtualServices.start();
    this.#services.start();
    await Promise.all([this.#virtualServices.synced, this.#services.synced]);
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const { port } = this.#server.address() as AddressInfo;
    this.metricsUrl = `http://127.0.0.1:${port}/metrics`;
    this.#startedAt = this.#lastTick = this.#now();
    this.#timer = setInterval(() => {
      this.#tick();
    }, this.#opts.tickMs ?? 50);
  }

  setRps(rps: number): void {
    this.#rps = rps;
    this.#schedule = undefined;
  }

  currentRps(): number {
    return this.#schedule === undefined
      ? Math.max(0, this.#rps)
      : rateAt(this.#schedule, this.#now() - this.#startedAt, this.#rps);
  }

  async send(count: number): Promise<RequestOutcome[]> {
    return Promise.all(Array.from({ length: count }, () => this.#track(this.#sendOne())));
  }

  route(): RouteDecision {
    return decideRoute(this.#virtualServices.list(), this.#request());
  }

  requestsSince(sinceMs: number): TrafficCounts {
    return this.#log.since(sinceMs);
  }

  shed(): number {
    return this.#shed;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    await Promise.allSettled([...this.#inFlight]);
    await Promise.all([this.#virtualServices.stop(), this.#services.stop()]);
    this.#upstream.close();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
      this.#server.closeAllConnections();
    });
  }

  #tick(): void {
    const now = this.#now();
    // A stalled event loop catches up at most one second's worth, not a burst of everything missed.
    const due = this.#pacer.due(this.currentRps(), Math.min(now - this.#lastTick, 1_000));
    this.#lastTick = now;
    const max = this.#opts.maxInFlight ?? 512;
    for (let i = 0; i < due; i++) {
      if (this.#inFlight.size >= max) {
        this.#shed++;
        continue;
      }
      void this.#track(this.#sendOne());
    }
  }

  #track(p: Promise<RequestOutcome>): Promise<RequestOutcome> {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
    return p;
  }

  #request(): OutboundRequest {
    const o = this.#opts;
    const source = o.sourceWorkload ?? 'loadgenerator';
    return {
      host: o.host,
      namespace: o.namespace,
      path: o.path ?? '/',
      method: 'GET',
      headers: Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      port: o.port ?? 80,
      sourceLabels: o.sourceLabels ?? { app: source },
    };
  }

  /** Routes and sends one request, recording it in the traffic log and (when served) the metrics. */
  async #sendOne(): Promise<RequestOutcome> {
    const at = this.#now();
    const target = this.#resolve();
    if ('unrouted' in target) {
      this.#log.record(at, { unrouted: target.unrouted }, 503);
      return { workload: undefined, unrouted: target.unrouted, code: 503, durationMs: 0 };
    }
    const { endpoint, service } = target;
    const workload = `${endpoint.namespace}/${endpoint.workload}`;
    const ticket = this.#log.record(at, { workload });
    const req = this.#request();
    const result = await this.#upstream.call(endpoint.url, req.path, this.#opts.headers ?? {});
    this.#log.complete(ticket, result.code);
    this.#metrics.observe({
      source: {
        workload: this.#opts.sourceWorkload ?? 'loadgenerator',
        namespace: req.namespace,
        app: req.sourceLabels.app ?? 'unknown',
      },
      destination: {
        workload: endpoint.workload,
        namespace: endpoint.namespace,
        labels: endpoint.labels,
        serviceHost: `${service.name}.${service.namespace}.svc.cluster.local`,
        serviceName: service.name,
        serviceNamespace: service.namespace,
      },
      responseCode: result.code,
      responseFlags: result.flags,
      durationMs: result.durationMs,
    });
    return { workload, unrouted: undefined, code: result.code, durationMs: result.durationMs };
  }

  /** VirtualService route → weighted destination → Service → a ready endpoint its selector picks. */
  #resolve(): { endpoint: Endpoint; service: { namespace: string; name: string } } | { unrouted: string } {
    const decision = this.route();
    if (decision.kind === 'none') return { unrouted: decision.reason };
    const dest = pickDestination(decision.destinations, this.#random);
    if (dest === undefined) return { unrouted: 'every destination has weight 0' };
    if (dest.subset !== undefined)
      return { unrouted: `subset ${dest.subset}: DestinationRule subsets are not emulated` };
    const ref = serviceOf(dest.host);
    if (ref === undefined) return { unrouted: `${dest.host} is not a Kubernetes Service` };
    const svc: KubeObject | undefined = this.#services.get(ref.namespace, ref.name);
    if (svc === undefined) return { unrouted: `Service ${ref.namespace}/${ref.name} not found` };
    const endpoints = this.#opts.workloadEmulator.endpointsFor(ref.namespace, selectorOf(svc));
    const endpoint = pickEndpoint(endpoints, this.#random);
    if (endpoint === undefined)
      return { unrouted: `Service ${ref.namespace}/${ref.name}: no healthy upstream` };
    return { endpoint, service: ref };
  }
}

function selectorOf(svc: KubeObject): Record<string, string> {
  const spec = svc.spec as { selector?: Record<string, unknown> } | undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec?.selector ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Pods are load-balanced evenly, so a workload's share is its share of ready pods. */
function pickEndpoint(endpoints: readonly Endpoint[], random: () => number): Endpoint | undefined {
  const total = endpoints.reduce((sum, e) => sum + e.readyReplicas, 0);
  let point = random() * total;
  for (const e of endpoints) {
    if (point < e.readyReplicas) return e;
    point -= e.readyReplicas;
  }
  return endpoints.at(-1);
}
