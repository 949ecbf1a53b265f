import type { RouteWeights, WeightDrift, Weights } from '../../ports/traffic-router.ts';

function same(a: Weights, b: Weights): boolean {
  return a.primary === b.primary && a.canary === b.canary;
}

/**
 * Routes whose live weights differ both from what serin wants and from what serin last wrote:
 * someone else edited them. Without `lastApplied` (first pass, nothing remembered) a difference
 * is an ordinary step, not drift.
 */
export function findDrift(
  live: readonly RouteWeights[],
  want: Weights,
  lastApplied: Weights | undefined,
): WeightDrift[] {
  if (lastApplied === undefined) return [];
  return live
    .filter((r) => !same(r.weights, want) && !same(r.weights, lastApplied))
    .map((r) => ({ virtualService: r.virtualService, route: r.route, from: r.weights, to: want }));
}

/** The weights every route agrees on, or undefined when they differ (or there are none). */
export function commonWeights(routes: readonly RouteWeights[]): Weights | undefined {
  const first = routes[0]?.weights;
  if (first === undefined) return undefined;
  return routes.every((r) => same(r.weights, first)) ? first : undefined;
}

/** True when every route carries `want`. */
export function allAt(routes: readonly RouteWeights[], want: Weights): boolean {
  return routes.every((r) => same(r.weights, want));
}
