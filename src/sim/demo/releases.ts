import type { CanaryPhase } from '../../api/index.ts';
import { decidingMetrics, versusText } from '../../readmodel/index.ts';
import type { Stack } from '../stack.ts';
import type { DemoDisplay } from './display.ts';
import { DemoError, pause } from './errors.ts';
import type { Observed, Observer } from './observer.ts';

/** What on-call types: `serin promote NAME -n NS --kubeconfig K --reason R`. */
export interface PromoteRequest {
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
}

/** What the verb printed, and whether it succeeded (exit 0). */
export interface PromoteResult {
  readonly ok: boolean;
  readonly output: string;
}

/**
 * Runs `serin promote` as on-call would: the demo approves through the verb itself (its refusal
 * rules, its identity from SelfSubjectReview, its wait for the controller's decision), never by
 * writing an Approval of its own. The CLI provides it; the simulator may not import the CLI.
 */
export type PromoteVerb = (request: PromoteRequest) => Promise<PromoteResult>;

/** What the scenario steps share. */
export interface ScenarioContext {
  readonly stack: Stack;
  readonly observer: Observer;
  readonly display: DemoDisplay;
  readonly namespace: string;
  readonly signal: AbortSignal;
  readonly promote: PromoteVerb;
}

/** How one release ended, for the summary. */
export interface ReleaseResult {
  readonly label: string;
  readonly version: string;
  readonly expected: CanaryPhase;
  readonly phase: CanaryPhase | 'Unknown';
  /** From the Deployment change to the final phase. */
  readonly durationMs: number;
  /** The measurements that decided, against their conditions (`success-rate 0.8 vs result >= 0.99: Failed`). */
  readonly deciding: readonly string[];
  /** Other facts worth a line: who approved, when traffic was safe, when the canary was scaled down. */
  readonly notes: readonly string[];
}

/** The name shared by the example's Deployment, Service, VirtualService and Canary. */
export const APP = 'podinfo';

type Env = Record<string, string>;
interface Container {
  image: string;
  env?: { name: string; value?: string }[];
}

function deploymentRef(namespace: string, name: string) {
  return { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name };
}

async function container(ctx: ScenarioContext, name: string): Promise<Container | undefined> {
  const deployment = await ctx.stack.client.find(deploymentRef(ctx.namespace, name));
  const spec = deployment?.spec as { template: { spec: { containers: Container[] } } } | undefined;
  return spec?.template.spec.containers[0];
}

/** Rolls out a new version the way a team would: a new image (and, here, the demo app's behaviour). */
export async function release(ctx: ScenarioContext, image: string, env: Env = {}): Promise<void> {
  const current = await container(ctx, APP);
  const merged = (current?.env ?? []).map((entry) =>
    env[entry.name] === undefined ? entry : { name: entry.name, value: env[entry.name] },
  );
  await ctx.stack.client.jsonPatch(deploymentRef(ctx.namespace, APP), [
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: image },
    { op: 'replace', path: '/spec/template/spec/containers/0/env', value: merged },
  ]);
}

/** The image a Deployment runs ('' when absent). */
export async function imageOf(ctx: ScenarioContext, name: string): Promise<string> {
  return (await container(ctx, name))?.image ?? '';
}

/** Replicas a Deployment asks for. */
export async function replicasOf(ctx: ScenarioContext, name: string): Promise<number | undefined> {
  const deployment = await ctx.stack.client.find(deploymentRef(ctx.namespace, name));
  return (deployment?.spec as { replicas?: number } | undefined)?.replicas;
}

/** The canary's weight in the VirtualService itself (what the mesh routes by). */
export async function virtualServiceCanaryWeight(ctx: ScenarioContext): Promise<number> {
  const vs = await ctx.stack.client.get({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    namespace: ctx.namespace,
    name: APP,
  });
  const http = (vs.spec as { http?: { route?: { destination: { host: string }; weight?: number }[] }[] })
    .http;
  const routes = http?.flatMap((route) => route.route ?? []) ?? [];
  return routes.find((route) => route.destination.host === `${APP}-canary`)?.weight ?? 0;
}

/**
 * Waits until the Canary, on a revision other than `before`, reaches one of `wanted`; reaching one
 * of `wrong` first is a DemoError `UnexpectedResult`.
 */
export async function waitForPhase(
  ctx: ScenarioContext,
  what: string,
  options: {
    before: string | undefined;
    wanted: readonly string[];
    wrong: readonly string[];
    timeoutMs: number;
  },
): Promise<Observed> {
  const observed = await ctx.observer.waitFor(
    what,
    ({ view }) =>
      view.revision !== options.before &&
      (options.wanted.includes(view.phase) || options.wrong.includes(view.phase)),
    { timeoutMs: options.timeoutMs, signal: ctx.signal },
  );
  if (options.wrong.includes(observed.view.phase)) {
    throw new DemoError(
      'UnexpectedResult',
      `expected ${what}, but the Canary is ${observed.view.phase}: ${observed.view.message ?? ''}`,
    );
  }
  return observed;
}

/** Polls `read` until `accept` holds; DemoError `Timeout` otherwise. */
export async function pollUntil<T>(
  ctx: ScenarioContext,
  what: string,
  check: { read: () => Promise<T>; accept: (value: T) => boolean; timeoutMs: number },
): Promise<T> {
  const deadline = Date.now() + check.timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check.read();
    if (check.accept(last)) return last;
    await pause(100, ctx.signal);
  }
  throw new DemoError('Timeout', `timed out waiting for ${what} (last: ${String(last)})`);
}

/** The deciding measurements of the Canary as observed, as sentences. */
export function decidingLines(observed: Observed): string[] {
  return decidingMetrics(observed.view).map(versusText);
}

/** `12.3s` */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
