import type { StatusCause } from './status.ts';

/** A JSON object as stored and served by the simulator. */
export type JsonObject = Record<string, unknown>;

/** The metadata fields the simulator reads or manages; everything else passes through. */
export interface ObjectMeta {
  name?: string | undefined;
  generateName?: string | undefined;
  namespace?: string | undefined;
  uid?: string | undefined;
  resourceVersion?: string | undefined;
  generation?: number | undefined;
  creationTimestamp?: string | undefined;
  deletionTimestamp?: string | undefined;
  deletionGracePeriodSeconds?: number | undefined;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  finalizers?: string[] | undefined;
  ownerReferences?: OwnerReference[] | undefined;
  [key: string]: unknown;
}

/** metadata.ownerReferences[] entry. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A Kubernetes object (any kind). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/**
 * Admission for one served version: prunes unknown fields, applies defaults and validates.
 * Returns the pruned paths (for the Warning header / fieldValidation=Strict) and any causes.
 */
export interface VersionSchema {
  admit(obj: KubeObject, old: KubeObject | undefined): AdmitResult;
  /** x-kubernetes-list-type: map keys per field path, for server-side apply. */
  listMapKeys(path: readonly string[]): string[] | undefined;
  /** The version's openAPIV3Schema as the CRD declares it, published at /openapi/v3 for kubectl explain. */
  readonly openAPIV3Schema?: JsonObject;
}

/** Outcome of admitting an object against its schema. */
export interface AdmitResult {
  pruned: string[];
  causes: StatusCause[];
}

/** A resource the simulator serves (built-in or from a CRD). */
export interface ResourceType {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  storageVersion: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  /** true for CRDs: strategic merge is refused, deletes return the object, PUT needs a resourceVersion. */
  custom: boolean;
  statusSubresource: boolean;
  scaleSubresource: boolean;
  /** Whether a PUT without metadata.resourceVersion is accepted (false for CRDs and Leases). */
  unconditionalUpdate: boolean;
  /** Whether metadata.generation is maintained. */
  generation: boolean;
  /** Per served version; absent means no schema (built-ins use their own checks). */
  schemas: Map<string, VersionSchema>;
  /** Kind-specific defaulting/validation for built-ins, run after the schema. */
  admitBuiltin?: (obj: KubeObject, old: KubeObject | undefined) => StatusCause[];
  /** Extra field-selector fields beyond metadata.name / metadata.namespace. */
  selectableFields: string[];
  /** CRDs: each served version's `additionalPrinterColumns` (the Table format's columns). */
  printerColumns?: Map<string, PrinterColumn[]>;
  /** metadata.name rule: RFC 1123 subdomain unless stated (Services use RFC 1035 labels, Namespaces RFC 1123 labels). */
  nameRule?: 'dns1035Label' | 'dns1123Label';
}

/** One `additionalPrinterColumns` entry of a CRD version. */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

/** The apiVersion string for a group/version pair. */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Narrows unknown JSON to a plain object. */
export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep copy of JSON data. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Deep equality of JSON data (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}
