import { z } from 'zod';

/** API group and version of every serin resource. */
export const GROUP = 'serin.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

const DURATION_PATTERN = /^(\d+(ms|s|m|h))+$/;

/** A duration such as `500ms`, `30s`, `5m`, `1h` or `1h30m`. */
export const Duration = z
  .string()
  .regex(DURATION_PATTERN, { message: 'must be a duration such as 30s, 5m or 1h30m' });
export type Duration = z.infer<typeof Duration>;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Converts a validated duration string to milliseconds. */
export function durationToMs(duration: string): number {
  let total = 0;
  for (const match of duration.matchAll(/(\d+)(ms|s|m|h)/g)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 0);
  }
  return total;
}

/** A Kubernetes object name (RFC 1123 subdomain). */
export const ObjectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
    message: 'must be a lowercase RFC 1123 name (a-z, 0-9, "-" and ".")',
  });

/** Object metadata as serin reads it; the API server owns the rest. */
export const ObjectMeta = z
  .object({
    name: z.string().optional(),
    generateName: z.string().optional(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().int().optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    finalizers: z.array(z.string()).optional(),
    ownerReferences: z.array(z.looseObject({})).optional(),
  })
  .loose();
export type ObjectMeta = z.infer<typeof ObjectMeta>;

/** A kstatus condition: Ready, Reconciling or Stalled. */
export const Condition = z
  .object({
    type: z.string().min(1).describe('Condition type: Ready, Reconciling or Stalled (kstatus).'),
    status: z.enum(['True', 'False', 'Unknown']).describe('True, False or Unknown.'),
    reason: z
      .string()
      .min(1)
      .describe('A CamelCase word saying why the condition has this status, e.g. AnalysisFailed.'),
    message: z.string().describe('What happened, for people.'),
    lastTransitionTime: z
      .string()
      .describe('When status last changed (RFC 3339 time, e.g. 2026-01-02T15:04:05Z).'),
    observedGeneration: z
      .number()
      .int()
      .optional()
      .describe('The metadata.generation the condition was computed from.'),
  })
  .describe('A kstatus condition: Ready, Reconciling or Stalled.');
export type Condition = z.infer<typeof Condition>;

/** A key in a Secret in the same namespace. */
export const SecretKeyRef = z.object({
  name: ObjectName.describe("Name of the Secret, in the referring object's namespace."),
  key: z.string().min(1).describe('Key in the Secret whose value is used.'),
});
export type SecretKeyRef = z.infer<typeof SecretKeyRef>;

const ONE_OF_GROUPS: (readonly string[])[] = [];

/**
 * A union of single-key objects: exactly one of the keys must be set. The key group is remembered so
 * that validation messages say "must set exactly one of a, b, c" instead of zod's closest-branch error.
 */
export function exactlyOneOf<const Shapes extends readonly z.ZodObject[]>(
  branches: Shapes,
): z.ZodUnion<Shapes> {
  ONE_OF_GROUPS.push(branches.flatMap((branch) => Object.keys(branch.shape)));
  return z.union(branches);
}

/** The one-of key group that a value belongs to, if it uses any key of one. */
export function oneOfGroupFor(value: unknown): readonly string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const keys = Object.keys(value);
  return ONE_OF_GROUPS.find((group) => keys.some((key) => group.includes(key)));
}

/** Marks a schema node whose contents Kubernetes must keep as-is. */
export function preserveUnknown<T extends z.ZodType>(schema: T): T {
  return schema.meta({ 'x-kubernetes-preserve-unknown-fields': true });
}
