/** The state every request handler shares. */
import type { Registry } from './registry.ts';
import type { Store } from './store.ts';
import type { ResourceType } from './types.ts';

/** Where a request points: a resource type at a served version, maybe a namespace, name and subresource. */
export interface Target {
  type: ResourceType;
  version: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: 'status' | 'scale' | undefined;
}

/** Query options that shape a write. */
export interface WriteOptions {
  dryRun: boolean;
  fieldManager: string | undefined;
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  force: boolean;
}

/** A response: HTTP code, JSON body and Warning headers. */
export interface ApiResult {
  code: number;
  body: object;
  warnings: string[];
}

/** Shared simulator state. */
export interface SimContext {
  registry: Registry;
  store: Store;
  /** RFC 3339 timestamp with second precision, as metav1.Time serialises. */
  now(): string;
  /** Schedules a garbage-collection pass (after deletions, and creates carrying ownerReferences). */
  collectGarbage(): void;
}

/** Default write options. */
export const DEFAULT_WRITE_OPTIONS: WriteOptions = {
  dryRun: false,
  fieldManager: undefined,
  fieldValidation: 'Warn',
  force: false,
};
