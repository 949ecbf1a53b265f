/**
 * The API-fault suite's pieces: an in-process controller that talks to the simulator as its own user
 * (so faults and the audit log can single out its requests), the count of its reconcile passes, and the
 * fault families as injectors that run until stopped.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Controller, type ControllerOptions } from '../../src/controller/controller.ts';
import { assembleDeps } from '../../src/controller/assemble.ts';
import { createKubeClient } from '../../src/kube/index.ts';
import type { KubeSim } from '../../src/sim/kube/index.ts';
import { ControllerMetrics } from '../../src/telemetry/metrics.ts';

/** A controller in this process, authenticated as `user`. */
export interface UserController {
  readonly user: string;
  readonly controller: Controller;
  /** Reconcile passes run so far. */
  passes(): Promise<number>;
}

export function startUserController(
  sim: KubeSim,
  options: { user: string; namespace: string; leaderElection?: ControllerOptions['leaderElection'] },
): UserController {
  const kc = new KubeConfig();
  kc.loadFromOptions(sim.kubeconfigFor(options.user));
  const client = createKubeClient(kc);
  const logger = pino({ level: 'silent' });
  const metrics = new ControllerMetrics();
  const controller = new Controller({
    deps: assembleDeps({ client, logger, metrics }),
    logger,
    namespace: options.namespace,
    workers: 2,
    ...(options.leaderElection ? { leaderElection: options.leaderElection } : {}),
  });
  controller.start();
  return {
    user: options.user,
    controller,
    passes: async () =>
      (await metrics.reconcileDuration.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ??
      0,
  };
}

/** A fault family: starts injecting against `user`'s requests and returns the function that stops it. */
export interface FaultFamily {
  readonly name: string;
  /** Whether it touches every client (watch drops, history expiry) rather than one user's requests. */
  readonly global: boolean;
  start(sim: KubeSim, user: string): () => void;
}

/** Runs `fn` now and every `ms` until stopped; stopping also drops the failures armed but not consumed. */
function every(sim: KubeSim, ms: number, fn: () => void): () => void {
  fn();
  const timer = setInterval(fn, ms);
  return () => {
    clearInterval(timer);
    sim.faults.clearFailures();
  };
}

const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'];

export const FAULT_FAMILIES: readonly FaultFamily[] = [
  { name: 'none (baseline)', global: false, start: () => () => undefined },
  {
    name: '409 Conflict storm (the next 2 writes of each verb, re-armed every 100 ms)',
    global: false,
    start: (sim, user) =>
      every(sim, 100, () => {
        for (const method of WRITES) sim.faults.failNext({ user, method, count: 2, status: 409 });
      }),
  },
  {
    name: '500 InternalError (the next request, re-armed every 100 ms)',
    global: false,
    start: (sim, user) =>
      every(sim, 100, () => {
        sim.faults.failNext({ user, count: 1, status: 500 });
      }),
  },
  {
    name: '503 ServiceUnavailable (the next request, re-armed every 100 ms)',
    global: false,
    start: (sim, user) =>
      every(sim, 100, () => {
        sim.faults.failNext({ user, count: 1, status: 503 });
      }),
  },
  {
    name: '429 with Retry-After: 1 (the next request, re-armed every 100 ms)',
    global: false,
    start: (sim, user) =>
      every(sim, 100, () => {
        sim.faults.failNext({ user, count: 1, status: 429, retryAfterSeconds: 1 });
      }),
  },
  {
    name: 'slow responses (+400 ms each)',
    global: false,
    start: (sim, user) => {
      sim.faults.setLatency(400, { user, watch: false });
      return () => {
        sim.faults.setLatency(0, { user, watch: false });
      };
    },
  },
  {
    name: 'watch drops (every open watch ended every 300 ms)',
    global: true,
    start: (sim) =>
      every(sim, 300, () => {
        sim.faults.dropWatches();
      }),
  },
  {
    name: '410 Gone on watch resume (history expired, watches dropped, every 1 s)',
    global: true,
    start: (sim) =>
      every(sim, 1_000, () => {
        sim.faults.expireHistory();
        sim.faults.dropWatches();
      }),
  },
];
