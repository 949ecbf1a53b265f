/**
 * The traffic-router port: how the controller moves traffic between the primary and the canary.
 * Flagger's shape (set / get), with outcomes as values: a router never throws for an expected
 * failure (a missing route, a concurrent edit, an unreachable API server).
 */

/** A split of traffic: integers from 0 to 100 that sum to 100. */
export interface Weights {
  readonly primary: number;
  readonly canary: number;
}

/** Names one routing object (an Istio VirtualService). */
export interface RouteObjectRef {
  readonly namespace: string;
  readonly name: string;
}

/** Which protocol section a route lives in. */
export type RouteKind = 'http' | 'tcp' | 'tls';

/** The primary/canary weights of one managed route, as found on the object. */
export interface RouteWeights {
  readonly virtualService: RouteObjectRef;
  readonly kind: RouteKind;
  /** Index of the route in `spec.<kind>`. */
  readonly index: number;
  /** How people name the route in messages: `http "primary"`, `http[0]`, `tcp[1] (port 5432)`. */
  readonly route: string;
  readonly weights: Weights;
}

/**
 * Why a router could not do what it was asked.
 * - `RouteNotFound`: a named route (or a TCP/TLS port) is not in the VirtualService, or the
 *   reference selects no route at all (serin never silently does nothing).
 * - `AmbiguousRoute`: no route names given and the VirtualService has more or fewer than one HTTP
 *   route, or two routes share the requested name.
 * - `AmbiguousDestination`: a route has several destinations for the primary (or the canary).
 * - `DestinationMissing`: a managed route lacks the primary or the canary destination.
 * - `InvalidWeights`: the requested weights are not integers in 0..100 summing to 100, or an
 *   unrelated destination on a managed route carries weight.
 * - `InvalidHost`: an empty primary/canary host name or destination host.
 * - `InvalidVirtualService`: the object is not shaped like a VirtualService.
 * - `NotFound`: the VirtualService does not exist.
 * - `Conflict`: it kept changing underneath us; retries exhausted.
 * - `Rejected`: the API server refused the write (schema validation, admission).
 * - `VerifyFailed`: the write succeeded but reading it back shows other weights.
 * - `Aborted`: the caller's signal fired (for example, leadership was lost).
 * - `ApiError`: any other failure talking to the API server.
 */
export type RouteErrorCode =
  | 'RouteNotFound'
  | 'AmbiguousRoute'
  | 'AmbiguousDestination'
  | 'DestinationMissing'
  | 'InvalidWeights'
  | 'InvalidHost'
  | 'InvalidVirtualService'
  | 'NotFound'
  | 'Conflict'
  | 'Rejected'
  | 'VerifyFailed'
  | 'Aborted'
  | 'ApiError';

/** A failed router call. `message` names the VirtualService, the route and the field. */
export interface RouteError {
  readonly kind: 'error';
  readonly code: RouteErrorCode;
  readonly message: string;
  readonly virtualService?: RouteObjectRef;
  readonly route?: string;
  /** JSON path of the offending field, e.g. `spec.http[1].route[0].destination.host`. */
  readonly field?: string;
  /** VirtualServices already written before the failure (a multi-object write is not atomic). */
  readonly written?: readonly RouteObjectRef[];
}

/** A route whose weights someone else changed since serin last wrote them. */
export interface WeightDrift {
  readonly virtualService: RouteObjectRef;
  readonly route: string;
  /** What serin found on the route. */
  readonly from: Weights;
  /** What serin wrote back. */
  readonly to: Weights;
}

/**
 * The outcome of {@link TrafficRouter.setWeights}.
 * - `ok`: the routes now carry the weights; `changed` is false when nothing had to be written.
 * - `driftCorrected`: as `ok`, but some routes had been edited by someone else (their weights
 *   differed both from what serin last wrote and from what it wanted); they were restored.
 *   The controller reports it ("weights drifted (…), restored").
 */
export type RouteResult =
  | {
      readonly kind: 'ok';
      readonly weights: Weights;
      readonly changed: boolean;
      readonly routes: readonly RouteWeights[];
    }
  | {
      readonly kind: 'driftCorrected';
      readonly weights: Weights;
      readonly changed: true;
      readonly routes: readonly RouteWeights[];
      readonly drift: readonly WeightDrift[];
    }
  | RouteError;

/**
 * The outcome of {@link TrafficRouter.getWeights}: every managed route's weights, and `weights`
 * when all of them agree (undefined when they differ, e.g. mid-write or after a manual edit).
 */
export type WeightsResult =
  | {
      readonly kind: 'ok';
      readonly weights: Weights | undefined;
      readonly routes: readonly RouteWeights[];
    }
  | RouteError;

/** Options for {@link TrafficRouter.setWeights}. */
export interface SetWeightsOptions {
  /** Cancels the call; a write is never sent once it has fired (fencing on lost leadership). */
  readonly signal?: AbortSignal;
  /**
   * The weights serin last wrote (from the Canary's status), so drift is recognised after a
   * restart. Without it the router uses what it remembers writing itself.
   */
  readonly lastApplied?: Weights;
  /**
   * The routing objects as the caller last read them (a Controller's informer cache), planned from
   * instead of a fresh read. Safe with a stale copy: the write pins what was planned from, so it
   * fails and the object is read again; what was written is always read back from the API server.
   * A stale copy that already shows the wanted weights sends nothing, and the watch event that
   * brings the newer copy starts another pass.
   */
  readonly seen?: readonly SeenRouteObject[];
}

/** A routing object as read before {@link TrafficRouter.setWeights} (e.g. from a cache). */
export interface SeenRouteObject extends RouteObjectRef {
  /** The object as read; undefined when it was not found (it is then read again). */
  readonly object: unknown;
}

/**
 * Moves traffic for one Canary. Implementations validate everything before writing anything,
 * write conditionally (a concurrent edit is re-read, never overwritten blindly), read back what
 * they wrote, and send no write when the weights are already right.
 */
export interface TrafficRouter {
  /** Sets every managed route to `weights`. */
  setWeights(weights: Weights, options?: SetWeightsOptions): Promise<RouteResult>;
  /** Reads every managed route's current weights. */
  getWeights(signal?: AbortSignal): Promise<WeightsResult>;
}

/** True when `w` is a valid split: integers in 0..100 summing to 100. */
export function isValidSplit(w: Weights): boolean {
  const part = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 100;
  return part(w.primary) && part(w.canary) && w.primary + w.canary === 100;
}

/** `primary 80 / canary 20`: how weights appear in messages and Events. */
export function formatWeights(w: Weights): string {
  return `primary ${w.primary} / canary ${w.canary}`;
}
