import type { VirtualServiceRef } from '../../api/index.ts';
import type {
  RouteError,
  RouteObjectRef,
  RouteResult,
  RouteWeights,
  SeenRouteObject,
  SetWeightsOptions,
  TrafficRouter,
  WeightDrift,
  Weights,
  WeightsResult,
} from '../../ports/traffic-router.ts';
import { formatWeights } from '../../ports/traffic-router.ts';
import { classifyFailure, type VirtualServiceClient } from './client.ts';
import { allAt, commonWeights, findDrift } from './drift.ts';
import { routeError } from './errors.ts';
import { planWeights, readWeights, type WeightPlan } from './planner.ts';
import type { CanaryHosts, VirtualService } from './types.ts';

/** Construction options for {@link IstioRouter}. */
export interface IstioRouterOptions {
  readonly client: VirtualServiceClient;
  /** The Canary's namespace: where its Services live, and the default for VirtualServices. */
  readonly namespace: string;
  /** `spec.service.name`; the Services are `<name>-primary` and `<name>-canary`. */
  readonly service: string;
  /** `spec.trafficRouting.istio.virtualServices`. */
  readonly virtualServices: readonly VirtualServiceRef[];
  /** Patch attempts per VirtualService when it changes underneath (409/422). Default 3. */
  readonly maxAttempts?: number;
  readonly clusterDomain?: string;
}

type Plan = Extract<WeightPlan, { ok: true }>;

interface Target {
  readonly ref: VirtualServiceRef;
  readonly where: RouteObjectRef;
  vs: VirtualService;
  plan: Plan;
}

type Step<T> = { ok: true; value: T } | { ok: false; error: RouteError };

/**
 * Sets primary/canary weights on the user's own Istio VirtualServices. Plans every
 * VirtualService before writing any; writes each with a JSON patch whose `test` ops pin what
 * was read (a 409/422 re-reads and re-plans, bounded); reads back and verifies; sends nothing
 * when the weights are already right; reports drift (someone else's edit) it corrected.
 */
export class IstioRouter implements TrafficRouter {
  readonly #client: VirtualServiceClient;
  readonly #refs: readonly VirtualServiceRef[];
  readonly #hosts: CanaryHosts;
  readonly #maxAttempts: number;
  /** What this router last wrote successfully; the fallback for `lastApplied`. */
  #last: Weights | undefined;
  /** VirtualServices this router has written: a copy read before that is never planned from. */
  readonly #wrote = new Set<string>();

  constructor(opts: IstioRouterOptions) {
    this.#client = opts.client;
    this.#refs = opts.virtualServices;
    this.#hosts = {
      primary: `${opts.service}-primary`,
      canary: `${opts.service}-canary`,
      namespace: opts.namespace,
      ...(opts.clusterDomain === undefined ? {} : { clusterDomain: opts.clusterDomain }),
    };
    this.#maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  }

  /** {@inheritDoc TrafficRouter.setWeights} */
  async setWeights(weights: Weights, options: SetWeightsOptions = {}): Promise<RouteResult> {
    const signal = options.signal;
    const targets: Target[] = [];
    // Plan everything first: a bad reference anywhere leaves every VirtualService untouched.
    for (const ref of this.#refs) {
      const seen = this.#seenCopy(ref, options.seen);
      const t = await this.#readAndPlan(ref, weights, signal, seen);
      if (!t.ok) return t.error;
      targets.push(t.value);
    }
    const lastApplied = options.lastApplied ?? this.#last;
    const written: RouteObjectRef[] = [];
    const drift: WeightDrift[] = [];
    const routes: RouteWeights[] = [];
    for (const target of targets) {
      const done = await this.#apply(target, weights, signal);
      if (!done.ok) return { ...done.error, written };
      if (done.value.wrote) written.push(target.where);
      drift.push(...findDrift(target.plan.previous, weights, lastApplied));
      routes.push(...done.value.routes);
    }
    this.#last = weights;
    if (drift.length > 0 && written.length > 0) {
      return { kind: 'driftCorrected', weights, changed: true, routes, drift };
    }
    return { kind: 'ok', weights, changed: written.length > 0, routes };
  }

  /** {@inheritDoc TrafficRouter.getWeights} */
  async getWeights(signal?: AbortSignal): Promise<WeightsResult> {
    const routes: RouteWeights[] = [];
    for (const ref of this.#refs) {
      const got = await this.#get(ref, this.#whereOf(ref), signal);
      if (!got.ok) return got.error;
      const reading = readWeights(got.value, ref, this.#hosts);
      if (!reading.ok) return reading.error;
      routes.push(...reading.routes);
    }
    return { kind: 'ok', weights: commonWeights(routes), routes };
  }

  /** The caller's copy of a VirtualService, unless this router has written it since. */
  #seenCopy(
    ref: VirtualServiceRef,
    seen: readonly SeenRouteObject[] | undefined,
  ): VirtualService | undefined {
    const where = this.#whereOf(ref);
    if (this.#wrote.has(`${where.namespace}/${where.name}`)) return undefined;
    const copy = seen?.find((s) => s.namespace === where.namespace && s.name === where.name)?.object;
    return copy === undefined || copy === null ? undefined : (copy as VirtualService);
  }

  #whereOf(ref: VirtualServiceRef): RouteObjectRef {
    return { namespace: ref.namespace ?? this.#hosts.namespace, name: ref.name };
  }

  async #readAndPlan(
    ref: VirtualServiceRef,
    weights: Weights,
    signal?: AbortSignal,
    seen?: VirtualService,
  ): Promise<Step<Target>> {
    const where = this.#whereOf(ref);
    const got: Step<VirtualService> = seen ? { ok: true, value: seen } : await this.#get(ref, where, signal);
    if (!got.ok) return got;
    const plan = planWeights(got.value, ref, this.#hosts, weights);
    if (!plan.ok) return plan;
    return { ok: true, value: { ref, where, vs: got.value, plan } };
  }

  async #get(
    ref: VirtualServiceRef,
    where: RouteObjectRef,
    signal?: AbortSignal,
  ): Promise<Step<VirtualService>> {
    if (signal?.aborted === true) return { ok: false, error: aborted(where) };
    try {
      return { ok: true, value: await this.#client.get(where.namespace, ref.name, signal) };
    } catch (err) {
      return { ok: false, error: failure(err, where, 'read') };
    }
  }

  /**
   * Writes one planned VirtualService. A 409, or a 422 from a failed `test` op, means it changed
   * since we read it: re-read and re-plan. A 422 on an object that has not changed is the server
   * refusing the content itself (schema, admission): re-planning would only repeat it.
   */
  async #apply(
    target: Target,
    weights: Weights,
    signal?: AbortSignal,
  ): Promise<Step<{ wrote: boolean; routes: RouteWeights[] }>> {
    let wrote = false;
    for (let attempt = 1; target.plan.changed; attempt++) {
      if (signal?.aborted === true) return { ok: false, error: aborted(target.where) };
      try {
        await this.#client.jsonPatch(target.where.namespace, target.ref.name, target.plan.patch, signal);
        wrote = true;
        this.#wrote.add(`${target.where.namespace}/${target.where.name}`);
        break;
      } catch (err) {
        const retry = await this.#afterFailedWrite(err, target, { attempt, weights, signal });
        if (!retry.ok) return retry;
      }
    }
    if (!wrote) return { ok: true, value: { wrote, routes: target.plan.previous } };
    const verified = await this.#verify(target, weights, signal);
    return verified.ok ? { ok: true, value: { wrote, routes: verified.value } } : verified;
  }

  async #afterFailedWrite(
    err: unknown,
    target: Target,
    ctx: { attempt: number; weights: Weights; signal: AbortSignal | undefined },
  ): Promise<Step<undefined>> {
    const f = classifyFailure(err);
    if (f.kind !== 'changed') return { ok: false, error: failure(err, target.where, 'write') };
    if (ctx.attempt >= this.#maxAttempts) {
      const detail = `still changing after ${ctx.attempt} attempts (${f.message})`;
      return { ok: false, error: routeError('Conflict', { virtualService: target.where }, detail) };
    }
    const again = await this.#readAndPlan(target.ref, ctx.weights, ctx.signal);
    if (!again.ok) return again;
    if (f.status === 422 && unchanged(target.vs, again.value.vs)) {
      const detail = `the API server refused the weight patch: ${f.message}`;
      return { ok: false, error: routeError('Rejected', { virtualService: target.where }, detail) };
    }
    target.vs = again.value.vs;
    target.plan = again.value.plan;
    return { ok: true, value: undefined };
  }

  /** Reads the VirtualService back: Argo Rollouts' Istio VerifyWeight is a no-op; ours is not. */
  async #verify(target: Target, weights: Weights, signal?: AbortSignal): Promise<Step<RouteWeights[]>> {
    const got = await this.#get(target.ref, target.where, signal);
    if (!got.ok) return got;
    const reading = readWeights(got.value, target.ref, this.#hosts);
    if (!reading.ok) return reading;
    if (allAt(reading.routes, weights)) return { ok: true, value: reading.routes };
    const bad = reading.routes.find((r) => !allAt([r], weights));
    const detail = `after writing ${formatWeights(weights)} it reads ${bad === undefined ? '?' : formatWeights(bad.weights)}`;
    const place = { virtualService: target.where, ...(bad === undefined ? {} : { route: bad.route }) };
    return { ok: false, error: routeError('VerifyFailed', place, detail) };
  }
}

function unchanged(a: VirtualService, b: VirtualService): boolean {
  const ra = a.metadata.resourceVersion;
  const rb = b.metadata.resourceVersion;
  if (ra !== undefined && rb !== undefined) return ra === rb;
  return JSON.stringify(a.spec) === JSON.stringify(b.spec);
}

function aborted(where: RouteObjectRef): RouteError {
  return routeError('Aborted', { virtualService: where }, 'cancelled before the request was sent');
}

function failure(err: unknown, where: RouteObjectRef, doing: 'read' | 'write'): RouteError {
  const f = classifyFailure(err);
  const place = { virtualService: where };
  switch (f.kind) {
    case 'notFound':
      return routeError('NotFound', place, 'does not exist');
    case 'aborted':
      return routeError('Aborted', place, `${doing} cancelled: ${f.message}`);
    case 'changed':
      return routeError('Conflict', place, `${doing} conflicted: ${f.message}`);
    case 'other': {
      const status = f.status === undefined ? '' : ` (HTTP ${f.status})`;
      return routeError('ApiError', place, `${doing} failed${status}: ${f.message}`);
    }
  }
}
