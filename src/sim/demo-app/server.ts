import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleLatency, type DemoBehaviour } from './behaviour.ts';

/** Options for {@link startDemoApp}. */
export interface DemoAppOptions {
  /** The workload this app stands for (shown in responses). */
  workload: string;
  namespace: string;
  behaviour: DemoBehaviour;
  /** Source of randomness in [0, 1); Math.random by default. */
  random?: () => number;
}

/** A running demo app. */
export interface DemoApp {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly workload: string;
  readonly namespace: string;
  /** The behaviour in force. */
  behaviour(): DemoBehaviour;
  /**
   * Changes the behaviour of the running app (fault injection for tests and benchmarks: a step
   * change at a known instant, without a rollout). Applies to requests arriving from now on.
   */
  setBehaviour(behaviour: DemoBehaviour): void;
  /** Requests answered so far (health checks excluded). */
  served(): number;
  /**
   * Stops like a terminating pod: refuses new connections, lets requests in flight finish for up
   * to `graceMs` (default 2000), then cuts what is left. Idempotent.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts an in-process HTTP app on 127.0.0.1 and an ephemeral port. Every request except
 * `GET /healthz` waits a latency drawn around `behaviour.latencyMs`, then answers 500 with
 * probability `behaviour.errorRate` and 200 otherwise.
 */
export async function startDemoApp(opts: DemoAppOptions): Promise<DemoApp> {
  const random = opts.random ?? Math.random;
  const pending = new Set<NodeJS.Timeout>();
  let served = 0;
  let stopping: Promise<void> | undefined;
  const state = { draining: false, behaviour: { ...opts.behaviour } };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    if (req.url === '/healthz') {
      reply(res, 200, { ok: true });
      return;
    }
    served++;
    const { errorRate, latencyMs } = state.behaviour;
    const failed = random() < errorRate;
    const serviceMs = sampleLatency(latencyMs, random);
    const timer = setTimeout(() => {
      pending.delete(timer);
      const body = { workload: opts.workload, namespace: opts.namespace };
      reply(res, failed ? 500 : 200, failed ? { ...body, error: 'injected failure' } : body, {
        draining: state.draining,
        serviceMs,
      });
    }, serviceMs);
    pending.add(timer);
  };

  const server = createServer({ keepAliveTimeout: 5_000 }, handle);
  await listen(server);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    workload: opts.workload,
    namespace: opts.namespace,
    behaviour: () => ({ ...state.behaviour }),
    setBehaviour: (behaviour) => {
      state.behaviour = { ...behaviour };
    },
    served: () => served,
    stop: (graceMs = 2_000) => {
      state.draining = true;
      return (stopping ??= close(server, pending, graceMs));
    },
  };
}

/**
 * The time the emulated pod spent on a request, as a response header. The mesh emulator reports
 * it as the request's duration: this process's event loop is shared by every pod, the load
 * generator and the controller, so wall time here would charge a pod for the others' CPU.
 */
export const SERVICE_TIME_HEADER = 'x-demo-service-ms';

function reply(
  res: ServerResponse,
  code: number,
  body: object,
  options: { draining?: boolean; serviceMs?: number } = {},
): void {
  if (res.destroyed) return;
  // While draining, ask the client not to reuse the connection, so the server can finish closing.
  const headers: Record<string, string> = options.draining === true ? { connection: 'close' } : {};
  if (options.serviceMs !== undefined) headers[SERVICE_TIME_HEADER] = options.serviceMs.toFixed(3);
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Graceful close: no new connections, in-flight requests finish, stragglers cut after the grace. */
function close(server: Server, pending: Set<NodeJS.Timeout>, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => {
      // Past the grace period a kubelet kills the container: connections still open are reset.
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      server.closeAllConnections();
    }, graceMs);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
