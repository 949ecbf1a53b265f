import { createHash } from 'node:crypto';
import type { KubeObject } from '../../kube/index.ts';
import { parseBehaviour, type EnvVar, type ParsedBehaviour } from '../demo-app/index.ts';

/** What the emulator reads from a Deployment. */
export interface DeploymentView {
  namespace: string;
  name: string;
  generation: number;
  /** spec.replicas; the API server defaults it to 1. */
  replicas: number;
  /** A hash of spec.template: a new hash is a new ReplicaSet, so new pods. */
  templateHash: string;
  /** The pod labels (spec.template.metadata.labels). */
  podLabels: Record<string, string>;
  /** The first container's env. */
  env: EnvVar[];
  deleting: boolean;
}

/** The fields of Deployment status the emulator writes. */
export interface ReplicaCounts {
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

/** Reads the parts of a Deployment the emulator acts on; tolerant of missing fields. */
export function viewDeployment(obj: KubeObject): DeploymentView {
  const spec = record(obj.spec);
  const template = record(spec.template);
  const podMeta = record(template.metadata);
  const podSpec = record(template.spec);
  const containers = Array.isArray(podSpec.containers) ? (podSpec.containers as unknown[]) : [];
  const first = record(containers[0]);
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    generation: obj.metadata.generation ?? 1,
    replicas: Math.max(0, replicas),
    templateHash: hashTemplate(template),
    podLabels: stringMap(podMeta.labels),
    env: Array.isArray(first.env) ? (first.env as unknown[]).filter(isEnvVar) : [],
    deleting: obj.metadata.deletionTimestamp !== undefined,
  };
}

/** The demo behaviour the pod template asks for. */
export function behaviourOf(view: DeploymentView): ParsedBehaviour {
  return parseBehaviour(view.env);
}

/** Stable hash of a pod template: key order does not matter, every value does. */
export function hashTemplate(template: unknown): string {
  return createHash('sha256').update(stableJson(template)).digest('hex').slice(0, 10);
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  return scalar ? JSON.stringify(value) : 'null';
}

/** Equality-based selector matching, as a Service's `spec.selector` matches pod labels. */
export function selectorMatches(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  const required = Object.entries(selector);
  // A Service without a selector gets no endpoints from Kubernetes.
  return required.length > 0 && required.every(([k, v]) => labels[k] === v);
}

/**
 * Status fields as a merge patch. A real API server omits zero counts (`omitempty`), so zeros are
 * sent as null: readers see exactly what they would see in a cluster.
 */
export function statusPatch(generation: number, counts: ReplicaCounts): Record<string, number | null> {
  const orNull = (n: number): number | null => (n === 0 ? null : n);
  return {
    observedGeneration: generation,
    replicas: orNull(counts.replicas),
    updatedReplicas: orNull(counts.updatedReplicas),
    readyReplicas: orNull(counts.readyReplicas),
    availableReplicas: orNull(counts.availableReplicas),
  };
}

/** True when `status` already says what the patch would write (absent counts read as 0). */
export function statusSays(status: unknown, patch: Record<string, number | null>): boolean {
  const have = record(status);
  return Object.entries(patch).every(([k, v]) => (typeof have[k] === 'number' ? have[k] : 0) === (v ?? 0));
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(value))) if (typeof v === 'string') out[k] = v;
  return out;
}

function isEnvVar(value: unknown): value is EnvVar {
  const r = record(value);
  return typeof r.name === 'string' && (r.value === undefined || typeof r.value === 'string');
}
