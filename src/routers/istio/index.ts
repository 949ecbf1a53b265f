/** serin's Istio traffic router: a pure VirtualService weight planner and the router adapter. */
export { planWeights, readWeights, whereIs } from './planner.ts';
export type { WeightPlan, WeightReading } from './planner.ts';
export { selectRoutes } from './select.ts';
export type { SelectedRoute, Selection } from './select.ts';
export { hostAliases, hostRole } from './hosts.ts';
export type { HostRole } from './hosts.ts';
export { VIRTUAL_SERVICE_API_VERSION } from './types.ts';
export type {
  CanaryHosts,
  HttpRoute,
  JsonPatchOp,
  L4Match,
  L4Route,
  RouteDestination,
  VirtualService,
} from './types.ts';
export { IstioRouter } from './istio-router.ts';
export type { IstioRouterOptions } from './istio-router.ts';
export { classifyFailure, VirtualServiceClientError } from './client.ts';
export type { ClientFailure, VirtualServiceClient } from './client.ts';
export { findDrift, commonWeights } from './drift.ts';
