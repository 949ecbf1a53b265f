/**
 * serin's Kubernetes adapters: the only code that imports @kubernetes/client-node.
 * Everything else reaches the cluster through these types.
 */
export { loadKubeConfig, createKubeClient, KubeConfigError } from './config.ts';
export type {
  LoadedKubeConfig,
  LoadKubeConfigOptions,
  KubeConfigSource,
  KubeConfigErrorCode,
} from './config.ts';
export {
  KubeClient,
  PatchContentType,
  FIELD_MANAGER,
  retryOnConflict,
  isIdempotentJsonPatch,
} from './client.ts';
export type { KubeClientOptions, CallOptions, PatchOptions, ListOptions, RetryPolicy } from './client.ts';
export { KubeError, isKubeError, describeKubeError } from './errors.ts';
export { requestAttributes, describeRequest } from './request-attributes.ts';
export type { KubeRequestAttributes, KubeVerb } from './request-attributes.ts';
export type { KubeErrorCode, KubeStatus } from './errors.ts';
export { ClientNodeTransport } from './transport.ts';
export type {
  KubeTransport,
  KubeRequest,
  KubeResponse,
  KubeMethod,
  WatchEvent,
  WatchHandle,
} from './transport.ts';
export { ResourceCache } from './resource-cache.ts';
export type {
  ResourceCacheOptions,
  ResourceCacheConfig,
  CacheHealth,
  CacheEvent,
  CacheEventType,
} from './resource-cache.ts';
export { withoutManagedFields } from './strip.ts';
export type { KubeWrite } from './client.ts';
export { StatusWriter } from './status-writer.ts';
export type { StatusWriteResult, StatusWriteOptions } from './status-writer.ts';
export { createMergePatch, sameJson } from './merge-patch.ts';
export { EventRecorder, eventName } from './event-recorder.ts';
export type { EventRecorderOptions, EventSpec, EventRecordResult, InvolvedObject } from './event-recorder.ts';
export { LeaderElector, microTime } from './leader-elector.ts';
export type { LeaderElectorOptions, Lease } from './leader-elector.ts';
export { ShardSet, shardOf, shardLeaseNames } from './shard-set.ts';
export type { ShardSetOptions } from './shard-set.ts';
export { systemClock, backoffDelay } from './clock.ts';
export type { KubeClock, BackoffPolicy } from './clock.ts';
export type { KubeLogger } from './logger.ts';
export { refOf, objectKey } from './types.ts';
export type { KubeObject, KubeList, ObjectMeta, ObjectRef, OwnerReference, JsonPatchOp } from './types.ts';
