/**
 * The mesh emulator: a load generator behind an emulated Envoy sidecar that routes by the current
 * VirtualService weights and exports Istio's standard metrics (see docs/emulators.md).
 */
export { startMeshEmulator } from './emulator.ts';
export type { MeshEmulator, MeshEmulatorOptions, RequestOutcome } from './emulator.ts';
export { decideRoute, pickDestination } from './routing.ts';
export type { OutboundRequest, RouteDecision, VirtualServiceLike, WeightedDestination } from './routing.ts';
export { qualifyClientHost, qualifyConfigHost, serviceOf, hostCovers } from './hosts.ts';
export { IstioMetrics, ISTIO_DURATION_BUCKETS_MS, ISTIO_LABELS, destinationLabels } from './istio-metrics.ts';
export type { IstioLabels, ServedRequest } from './istio-metrics.ts';
export { Pacer, rateAt } from './load.ts';
export type { RpsSchedule } from './load.ts';
export { TrafficLog } from './traffic-log.ts';
export type { TrafficCounts, WorkloadTraffic, Destination } from './traffic-log.ts';
export { UpstreamCaller } from './upstream.ts';
export type { UpstreamOptions, UpstreamResult } from './upstream.ts';
