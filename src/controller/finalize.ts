import type { Canary, CanaryStatus } from '../api/index.ts';
import type { KubeObject, ObjectRef } from '../kube/index.ts';
import { formatWeights, type RouteErrorCode, type Weights } from '../ports/traffic-router.ts';
import type { ReconcilerDeps } from './deps.ts';
import { EffectError } from './failures.ts';
import type { ReconcileContext } from './gather.ts';
import { SERIN_API } from './gather.ts';
import { canaryServiceName, primaryName, primaryServiceName, type Deployment } from './workloads.ts';

/**
 * The finalizer serin puts on every Canary. While it is there, deleting the Canary only marks it:
 * serin first hands all traffic to a side with ready pods, then lets the Canary go.
 */
export const FINALIZER = 'serin.dev/traffic-handback';

/** How often a Canary being deleted is looked at while it waits for a side to become ready. */
const WAIT_MS = 5_000;

/** Why a deletion could not hand traffic back (the Canary goes anyway, with a Warning Event). */
export type HandbackProblem = 'NothingReady' | 'RouteUnchangeable' | 'SpecUnreadable';

/** What the finalizer decided about traffic. */
export type Handback =
  | { readonly kind: 'route'; readonly weights: Weights; readonly to: string }
  | { readonly kind: 'wait' }
  | { readonly kind: 'leave'; readonly problem: HandbackProblem; readonly message: string };

/** A Deployment that has pods ready to take requests now (a rolling update keeps the old ones). */
export function servesNow(deployment: Deployment | undefined): boolean {
  return (deployment?.spec.replicas ?? 1) > 0 && (deployment?.status?.readyReplicas ?? 0) > 0;
}

/**
 * The traffic rule for a Canary being deleted: all weight to the primary if its pods are ready,
 * else all weight to the user's own Deployment (behind `<service>-canary`) if its pods are, else
 * wait for one of them until `progressDeadlineSeconds` after the deletion, then leave the weights
 * as they are (nothing serin could pick would serve).
 */
export function decideHandback(input: {
  readonly canary: Canary | undefined;
  readonly ctx: ReconcileContext;
  readonly now: number;
}): Handback {
  const { canary, ctx, now } = input;
  if (!canary) {
    return { kind: 'leave', problem: 'SpecUnreadable', message: 'the spec does not validate' };
  }
  const service = canary.spec.service.name;
  if (servesNow(ctx.primary) && ctx.services.primary) {
    return { kind: 'route', weights: { primary: 100, canary: 0 }, to: primaryServiceName(service) };
  }
  if (servesNow(ctx.target) && ctx.services.canary) {
    return { kind: 'route', weights: { primary: 0, canary: 100 }, to: canaryServiceName(service) };
  }
  const since = Date.parse(waitSinceOf(ctx) ?? '');
  const deadline = (Number.isFinite(since) ? since : now) + canary.spec.progressDeadlineSeconds * 1000;
  if (now < deadline) return { kind: 'wait' };
  return {
    kind: 'leave',
    problem: 'NothingReady',
    message: `neither ${primaryName(canary.spec.targetRef.name)} nor ${canary.spec.targetRef.name} had ready pods within ${canary.spec.progressDeadlineSeconds}s`,
  };
}

function waitSinceOf(ctx: ReconcileContext): string | undefined {
  return (ctx.raw.status as CanaryStatus | undefined)?.handbackWaitSince;
}

/** The Canary's own ref. */
function canaryRef(ctx: ReconcileContext): ObjectRef {
  return { apiVersion: SERIN_API, kind: 'Canary', namespace: ctx.namespace, name: ctx.name };
}

/**
 * Adds the finalizer to a Canary that lacks it (and is not being deleted). The JSON patch tests the
 * list it read, so a concurrent edit fails the pass instead of dropping someone else's finalizer.
 * Returns the Canary as stored afterwards.
 */
export async function ensureFinalizer(deps: ReconcilerDeps, ctx: ReconcileContext): Promise<KubeObject> {
  const finalizers = ctx.raw.metadata.finalizers;
  if (finalizers?.includes(FINALIZER) === true) return ctx.raw;
  const opts = deps.signal ? { signal: deps.signal } : {};
  // Without a list to test, test the version read: `add` on a list someone created meanwhile
  // would replace it, dropping their finalizer.
  const ops =
    finalizers === undefined
      ? [
          { op: 'test' as const, path: '/metadata/resourceVersion', value: ctx.raw.metadata.resourceVersion },
          { op: 'add' as const, path: '/metadata/finalizers', value: [FINALIZER] },
        ]
      : [
          { op: 'test' as const, path: '/metadata/finalizers', value: finalizers },
          { op: 'add' as const, path: '/metadata/finalizers/-', value: FINALIZER },
        ];
  return deps.client.jsonPatch(canaryRef(ctx), ops, opts);
}

/** Removes serin's finalizer (testing that it is still at the index read), which lets the Canary go. */
async function releaseFinalizer(deps: ReconcilerDeps, ctx: ReconcileContext): Promise<void> {
  const index = ctx.raw.metadata.finalizers?.indexOf(FINALIZER) ?? -1;
  if (index < 0) return;
  await deps.client.jsonPatch(
    canaryRef(ctx),
    [
      { op: 'test', path: `/metadata/finalizers/${index}`, value: FINALIZER },
      { op: 'remove', path: `/metadata/finalizers/${index}` },
    ],
    deps.signal ? { signal: deps.signal } : {},
  );
}

/**
 * Objects an earlier serin made owned by the Canary lose that owner reference, so the garbage
 * collector cannot take them (and the traffic they serve) with it.
 */
export async function disown(deps: ReconcilerDeps, ctx: ReconcileContext): Promise<void> {
  const uid = ctx.raw.metadata.uid;
  const owned = [ctx.primary, ctx.services.primary, ctx.services.canary].filter(
    (object) => object?.metadata.ownerReferences?.some((ref) => ref.uid === uid) === true,
  );
  for (const object of owned) {
    if (!object) continue;
    const refs = object.metadata.ownerReferences ?? [];
    const keep = refs.filter((ref) => ref.uid !== uid);
    await deps.client.jsonPatch(
      {
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: ctx.namespace,
        name: object.metadata.name,
      },
      [
        { op: 'test', path: '/metadata/ownerReferences', value: refs },
        keep.length === 0
          ? { op: 'remove', path: '/metadata/ownerReferences' }
          : { op: 'replace', path: '/metadata/ownerReferences', value: keep },
      ],
      deps.signal ? { signal: deps.signal } : {},
    );
  }
}

/** Router failures that no retry will fix: the Canary goes, the weights stay where the user left them. */
const UNCHANGEABLE: ReadonlySet<RouteErrorCode> = new Set<RouteErrorCode>([
  'RouteNotFound',
  'AmbiguousRoute',
  'AmbiguousDestination',
  'DestinationMissing',
  'InvalidHost',
  'InvalidVirtualService',
  'NotFound',
  'Rejected',
]);

async function routeHandback(
  deps: ReconcilerDeps,
  canary: Canary,
  handback: Extract<Handback, { kind: 'route' }>,
): Promise<Handback> {
  const result = await deps
    .routerFor(canary)
    .setWeights(handback.weights, deps.signal ? { signal: deps.signal } : {});
  if (result.kind !== 'error') return handback;
  if (UNCHANGEABLE.has(result.code)) {
    return { kind: 'leave', problem: 'RouteUnchangeable', message: result.message };
  }
  // A conflict, an unreachable API server: the next pass tries again, the finalizer holds.
  throw new EffectError(result.code, `handing traffic back failed: ${result.message}`);
}

function remains(canary: Canary | undefined): string {
  if (!canary) return 'nothing serin made is deleted';
  const target = canary.spec.targetRef.name;
  const service = canary.spec.service.name;
  return `kept ${primaryName(target)}, Services ${primaryServiceName(service)} and ${canaryServiceName(service)}; ${target} keeps its replicas`;
}

/**
 * The pass for a Canary being deleted. Nothing serin made is deleted (see docs/controller.md,
 * "Deleting a Canary"): traffic goes to a side with ready pods, owner references an earlier version
 * set are removed, and only then is the finalizer released.
 */
export async function finalize(
  deps: ReconcilerDeps,
  ctx: ReconcileContext,
  input: { readonly canary: Canary | undefined; readonly now: number },
): Promise<{ requeueAfterMs?: number }> {
  if (ctx.raw.metadata.finalizers?.includes(FINALIZER) !== true) return {};
  await disown(deps, ctx);
  let handback = decideHandback({ ...input, ctx });
  if (handback.kind === 'wait') {
    // The wait is timed by the controller's clock, kept in status (not the API server's deletionTimestamp).
    if (waitSinceOf(ctx) === undefined) {
      const status = (ctx.raw.status ?? {}) as CanaryStatus;
      const message = 'Canary deleted: waiting for the primary or the target to have ready pods';
      await deps.statusWriter.write(
        ctx.raw,
        { ...status, handbackWaitSince: new Date(input.now).toISOString(), message },
        deps.signal ? { signal: deps.signal } : {},
      );
    }
    return { requeueAfterMs: WAIT_MS };
  }
  if (handback.kind === 'route' && input.canary) handback = await routeHandback(deps, input.canary, handback);
  const event =
    handback.kind === 'route'
      ? {
          type: 'Normal' as const,
          reason: 'TrafficHandedBack',
          message: `Canary deleted: traffic ${formatWeights(handback.weights)}, all to ${handback.to}; ${remains(input.canary)}`,
        }
      : handback.kind === 'leave'
        ? {
            type: 'Warning' as const,
            reason: handback.problem,
            message: `Canary deleted with the weights left as they are: ${handback.message}; ${remains(input.canary)}`,
          }
        : undefined;
  if (event) await deps.recorder.record(ctx.raw, event);
  await releaseFinalizer(deps, ctx);
  return {};
}
