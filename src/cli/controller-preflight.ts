import {
  type BackoffPolicy,
  backoffDelay,
  type KubeClient,
  KubeError,
  type KubeClock,
} from '../kube/index.ts';
import { hasAborted } from '../kube/clock.ts';
import { errorFromNetwork, errorFromResponse } from '../kube/errors.ts';

/** What `serin controller` checks before it starts, and the flags that decide it. */
export interface PreflightOptions {
  readonly client: KubeClient;
  /** The API server's URL, for messages. */
  readonly server: string;
  /** The Lease's namespace when leader election is on. */
  readonly leaseNamespace: string | undefined;
  /** The namespace watched (all when undefined). */
  readonly namespace: string | undefined;
  readonly signal: AbortSignal;
  readonly clock: KubeClock;
  /** Called before each wait, with a one-line reason. */
  readonly onRetry: (reason: string, delayMs: number, attempt: number) => void;
  readonly backoff?: BackoffPolicy;
}

/** How the preflight ended: go on, stop for a configuration problem (one line), or stopped by a signal. */
export type PreflightOutcome =
  | { readonly kind: 'ready' }
  | { readonly kind: 'misconfigured'; readonly message: string }
  | { readonly kind: 'stopped' };

/** First retry after about a second, then doubling up to half a minute (jittered; see backoffDelay). */
export const PREFLIGHT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

type Check = { kind: 'ok' } | { kind: 'transient'; reason: string } | { kind: 'fatal'; message: string };

/** Failures that go away on their own (the server is starting, overloaded, or the network is). */
const TRANSIENT = new Set(['Unreachable', 'Timeout', 'Server', 'TooManyRequests']);

function classify(err: KubeError, server: string, what: string): Check {
  if (TRANSIENT.has(err.code))
    return {
      kind: 'transient',
      reason: `API server ${server} ${err.code === 'Unreachable' ? 'unreachable' : `answered ${err.code}`} (${err.message})`,
    };
  if (err.code === 'Unauthorized')
    return {
      kind: 'fatal',
      message: `API server ${server} refused the kubeconfig's credentials (401 Unauthorized)`,
    };
  if (err.code === 'Forbidden')
    return {
      kind: 'fatal',
      message: `not allowed to ${what} (403 Forbidden: ${err.message}); check serin's RBAC`,
    };
  return { kind: 'fatal', message: `${what} failed: ${err.code} (${err.message})` };
}

/** One request; transport failures become KubeErrors like the client's. */
async function send(
  options: PreflightOptions,
  req: Parameters<KubeClient['transport']['send']>[0],
): Promise<{ status: number; body: unknown }> {
  try {
    return await options.client.transport.send({ ...req, signal: options.signal });
  } catch (err) {
    throw errorFromNetwork(err, options.signal);
  }
}

/** The API server answers and serin's CRDs are installed: list one Canary (a verb serin uses anyway). */
async function checkCanaries(options: PreflightOptions): Promise<Check> {
  const what = `list Canaries${options.namespace === undefined ? '' : ` in namespace ${options.namespace}`}`;
  try {
    const path = await options.client.resolver.path({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Canary',
      namespace: options.namespace,
    });
    const res = await send(options, { method: 'GET', path, query: { limit: '1' } });
    if (res.status === 200) return { kind: 'ok' };
    if (res.status === 404)
      return {
        kind: 'fatal',
        message: `serin's CRDs are not installed on ${options.server} (apply crds/ or deploy/)`,
      };
    return classify(errorFromResponse(res.status, res.body), options.server, what);
  } catch (err) {
    if (err instanceof KubeError) return classify(err, options.server, what);
    throw err;
  }
}

/**
 * The Lease's namespace exists: a dry-run create of the Lease, which the API server admits
 * (namespace checks included) without storing. 201 or AlreadyExists both mean the namespace is there.
 */
async function checkLeaseNamespace(options: PreflightOptions, namespace: string): Promise<Check> {
  const what = `create the leader-election Lease in namespace ${namespace}`;
  try {
    const path = await options.client.resolver.path({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace,
    });
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'serin-controller', namespace },
    };
    const res = await send(options, {
      method: 'POST',
      path,
      query: { dryRun: 'All', fieldManager: 'serin' },
      body,
      contentType: 'application/json',
    });
    if (res.status === 200 || res.status === 201) return { kind: 'ok' };
    const err = errorFromResponse(res.status, res.body);
    if (err.code === 'AlreadyExists') return { kind: 'ok' };
    if (err.code === 'NotFound') {
      return {
        kind: 'fatal',
        message: `the Lease namespace "${namespace}" does not exist on ${options.server} (create it, or pass --lease-namespace)`,
      };
    }
    return classify(err, options.server, what);
  } catch (err) {
    if (err instanceof KubeError) return classify(err, options.server, what);
    throw err;
  }
}

/**
 * Before the controller starts: waits (retrying with backoff) for the API server, then fails fast
 * on what will not fix itself (serin's CRDs missing, the Lease namespace missing, credentials or
 * RBAC refused). Without it those show up as a warning a second forever and a pod that never gets ready.
 */
export async function preflight(options: PreflightOptions): Promise<PreflightOutcome> {
  const leaseNamespace = options.leaseNamespace;
  const checks: (() => Promise<Check>)[] = [
    () => checkCanaries(options),
    ...(leaseNamespace === undefined ? [] : [() => checkLeaseNamespace(options, leaseNamespace)]),
  ];
  let attempt = 0;
  for (const check of checks) {
    for (;;) {
      if (options.signal.aborted) return { kind: 'stopped' };
      const result = await check();
      if (result.kind === 'ok') break;
      if (result.kind === 'fatal') return { kind: 'misconfigured', message: result.message };
      if (hasAborted(options.signal)) return { kind: 'stopped' };
      attempt += 1;
      const delayMs = backoffDelay(options.backoff ?? PREFLIGHT_BACKOFF, attempt);
      options.onRetry(result.reason, delayMs, attempt);
      await options.clock.sleep(delayMs, options.signal);
    }
  }
  return { kind: 'ready' };
}
