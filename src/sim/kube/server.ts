/** startKubeSim(): wires registry, store, garbage collector, faults and the HTTP server. */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditLog, DEFAULT_USER, type AuditRecord } from './audit.ts';
import { builtinTypes } from './builtins.ts';
import type { SimContext } from './context.ts';
import { CrdLoadError, loadCrdFile } from './crd-loader.ts';
import { Denials, type DenyRule } from './denials.ts';
import { Faults } from './faults.ts';
import type { FailMatch, RequestMatch } from './faults.ts';
import { GarbageCollector } from './garbage-collector.ts';
import { createHandler } from './http.ts';
import { DEFAULT_TOKEN, kubeconfigObject, writeKubeconfig } from './kubeconfig.ts';
import type { KubeconfigObject } from './kubeconfig.ts';
import { toServed } from './meta.ts';
import { Registry } from './registry.ts';
import { Store } from './store.ts';
import type { KubeObject } from './types.ts';
import type { OpenWatch } from './watch.ts';

/** Options of startKubeSim(). */
export interface KubeSimOptions {
  /** Port to bind on 127.0.0.1; default 0 (ephemeral). */
  port?: number;
  /** CRD YAML files loaded in addition to the repo's crds/*.yaml and Istio's networking CRDs. */
  crdFiles?: string[];
  /** Server-side watch timeout when the client sends no timeoutSeconds (default 300). */
  watchTimeoutSeconds?: number;
  /** Events kept per resource for watch resume (default 1000); older resumes get 410. */
  historyLimit?: number;
  /** Interval between BOOKMARK events on watches that allow them (default 60000, like kube's ~1 min). */
  bookmarkIntervalMs?: number;
  /** Namespaces created at start besides default, kube-system, kube-public and kube-node-lease. */
  namespaces?: string[];
}

/** Fault injection handles. */
export interface KubeSimFaults {
  /** The next `count` requests matching method/path (string: exact URL path; RegExp: tested on it) fail. */
  failNext(match: FailMatch): void;
  /** Forgets the injected failures not yet consumed, so a storm ends when the test says. */
  clearFailures(): void;
  /** Adds latency to matching requests (all if no match); setLatency(0) clears every latency rule. */
  setLatency(ms: number, match?: RequestMatch): void;
  /** Ends every open watch stream (clients see a clean end of stream). */
  dropWatches(): void;
  /** Forgets all watch history, so resuming from any earlier resourceVersion gets 410 Expired. */
  expireHistory(): void;
}

/** Direct read access to stored objects, for tests. */
export interface KubeSimStore {
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
}

/** A running simulator. */
export interface KubeSim {
  /** http://127.0.0.1:<port> */
  url: string;
  /** A kubeconfig file client-node's KubeConfig.loadFromFile() accepts (removed by stop()). */
  kubeconfigPath: string;
  /** The same, for KubeConfig.loadFromOptions(). */
  kubeconfig: KubeconfigObject;
  /**
   * A kubeconfig (object form) whose token the simulator authenticates as `user`, so that a test
   * can tell one client's requests from another's in the audit log.
   */
  kubeconfigFor(user: string): KubeconfigObject;
  /** Every request's user, authorizer verb, API group, resource and subresource, in order. */
  audit: {
    entries(): readonly AuditRecord[];
    /** The same, each with its arrival time (ms since the epoch). */
    timed(): readonly { readonly at: number; readonly record: AuditRecord }[];
    clear(): void;
  };
  /** Refuses matching requests with 403 Forbidden, worded as kube-apiserver's RBAC does. */
  forbid(rule: DenyRule): void;
  faults: KubeSimFaults;
  store: KubeSimStore;
  /** Sends a BOOKMARK now on every open watch that allows bookmarks. */
  sendBookmarks(): void;
  /** Number of open watch streams. */
  openWatchCount(): number;
  stop(): Promise<void>;
}

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Istio's networking CRDs, vendored beside the simulator (origin and licence: its README.md). */
const ISTIO_CRDS = 'src/sim/kube/crds/istio/networking-crds.yaml';

/** The CRD files loaded by default: the repo's crds/*.yaml and Istio's vendored networking CRDs. */
export function defaultCrdFiles(root: string = REPO_ROOT): string[] {
  // Resolved from the package root, which is the same from src/ (tsx) and dist/ (the build).
  const istio = resolve(root, ISTIO_CRDS);
  if (!existsSync(istio)) {
    throw new CrdLoadError(`Istio CRDs not found at ${istio} (expected ${ISTIO_CRDS} in the package)`);
  }
  const dir = join(root, 'crds');
  const own = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => join(dir, f))
    : [];
  return [...own, istio];
}

function buildRegistry(files: string[]): Registry {
  const registry = new Registry();
  for (const t of builtinTypes()) registry.add(t);
  for (const file of files) for (const t of loadCrdFile(file)) registry.add(t);
  return registry;
}

function storeView(registry: Registry, store: Store): KubeSimStore {
  return {
    get(apiVersion, kind, namespace, name) {
      const found = registry.byKind(apiVersion, kind);
      if (found === undefined) return undefined;
      const obj = store.get(found.type, namespace, name);
      return obj === undefined ? undefined : toServed(obj, found.type, found.version);
    },
    list(apiVersion, kind, namespace) {
      const found = registry.byKind(apiVersion, kind);
      if (found === undefined) return [];
      return store.list(found.type, namespace).map((o) => toServed(o, found.type, found.version));
    },
  };
}

function seedNamespaces(ctx: SimContext, names: string[]): void {
  const nsType = ctx.registry.byPlural('', 'v1', 'namespaces');
  if (nsType === undefined) return;
  for (const name of new Set(names)) {
    nsType.admitBuiltin?.({ metadata: { name } }, undefined);
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, uid: crypto.randomUUID(), creationTimestamp: ctx.now() },
    };
    nsType.admitBuiltin?.(obj, undefined);
    ctx.store.put(nsType, obj, undefined);
  }
}

/** Starts the Kubernetes API simulator on 127.0.0.1. */
export async function startKubeSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  const registry = buildRegistry([...defaultCrdFiles(), ...(options.crdFiles ?? [])]);
  const store = new Store(options.historyLimit ?? 1000);
  const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const gc = new GarbageCollector(registry, store, now);
  const ctx: SimContext = {
    registry,
    store,
    now,
    collectGarbage: () => {
      gc.schedule();
    },
  };
  seedNamespaces(ctx, [
    'default',
    'kube-system',
    'kube-public',
    'kube-node-lease',
    ...(options.namespaces ?? []),
  ]);
  const faults = new Faults();
  const audit = new AuditLog();
  audit.addToken(DEFAULT_TOKEN, DEFAULT_USER);
  const denials = new Denials();
  const watches = new Set<OpenWatch>();
  let address = '127.0.0.1:0';
  const server = createServer(
    createHandler({
      ctx,
      faults,
      audit,
      denials,
      watches,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      serverAddress: () => address,
    }),
  );
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  const kubeconfigFile = writeKubeconfig(url);
  const closeWatches = (): void => {
    for (const w of [...watches]) w.close();
  };
  return {
    url,
    kubeconfigPath: kubeconfigFile.path,
    kubeconfig: kubeconfigObject(url),
    kubeconfigFor: (user) => {
      const token = `${user}-${randomBytes(8).toString('hex')}`;
      audit.addToken(token, user);
      return kubeconfigObject(url, token);
    },
    audit: {
      entries: () => audit.entries(),
      timed: () => audit.timed(),
      clear: () => {
        audit.clear();
      },
    },
    forbid: (rule) => {
      denials.add(rule);
    },
    faults: {
      failNext: (m) => {
        faults.failNext(m);
      },
      clearFailures: () => {
        faults.clearFailures();
      },
      setLatency: (ms, m) => {
        faults.setLatency(ms, m);
      },
      dropWatches: closeWatches,
      expireHistory: () => {
        store.expireHistory();
      },
    },
    store: storeView(registry, store),
    sendBookmarks: () => {
      for (const w of watches) w.bookmark();
    },
    openWatchCount: () => watches.size,
    stop: async () => {
      gc.stop();
      closeWatches();
      await new Promise<void>((ok) => {
        server.close(() => {
          ok();
        });
        server.closeAllConnections();
      });
      kubeconfigFile.remove();
    },
  };
}
