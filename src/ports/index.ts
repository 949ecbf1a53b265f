export { systemClock, type Clock } from './clock.ts';
export type { SecretReader, SecretRef, SecretValue } from './secrets.ts';
export type {
  InstantQueryRequest,
  MetricProvider,
  NoData,
  QueryError,
  QueryErrorKind,
  QueryOutcome,
  QueryTarget,
  RangeOutcome,
  RangeQueryRequest,
  RangeSeries,
} from './metric-provider.ts';
export type {
  RouteError,
  RouteErrorCode,
  RouteKind,
  RouteObjectRef,
  RouteResult,
  RouteWeights,
  SeenRouteObject,
  SetWeightsOptions,
  TrafficRouter,
  WeightDrift,
  Weights,
  WeightsResult,
} from './traffic-router.ts';
export { formatWeights, isValidSplit } from './traffic-router.ts';
export type { ApprovalFinding, MetricFinding, Notification, Notifier, PostOutcome } from './notifier.ts';
