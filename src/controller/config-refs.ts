import { createHash } from 'node:crypto';

/** Annotation on a ConfigMap or Secret: `"true"` keeps serin from tracking it (no copy, no revision). */
export const SKIP_TRACKING_ANNOTATION = 'serin.dev/skip-tracking';

export type ConfigKind = 'ConfigMap' | 'Secret';

/** A ConfigMap or Secret the target's pod template names, and whether the pod may start without it. */
export interface ConfigRef {
  readonly kind: ConfigKind;
  readonly name: string;
  readonly optional: boolean;
}

/** The primary's copy of a tracked ConfigMap or Secret: `<name>-primary`, as Flagger names them. */
export const configCopyName = (name: string): string => `${name}-primary`;

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const records = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isRecord) : []);
const field = (value: unknown, key: string): Json | undefined =>
  isRecord(value) && isRecord(value[key]) ? value[key] : undefined;

type Visitor = (kind: ConfigKind, at: Json, key: string) => void;

/** A named reference to one ConfigMap or Secret inside `holder`, if present. */
function refIn(holder: unknown, key: string, kind: ConfigKind, nameKey: string, each: Visitor): void {
  const at = field(holder, key);
  if (at) each(kind, at, nameKey);
}

function visitVolumes(podSpec: Json, each: Visitor): void {
  for (const volume of records(podSpec.volumes)) {
    refIn(volume, 'configMap', 'ConfigMap', 'name', each);
    refIn(volume, 'secret', 'Secret', 'secretName', each);
    for (const source of records(field(volume, 'projected')?.sources)) {
      refIn(source, 'configMap', 'ConfigMap', 'name', each);
      refIn(source, 'secret', 'Secret', 'name', each);
    }
  }
}

function visitContainers(podSpec: Json, each: Visitor): void {
  for (const container of [...records(podSpec.containers), ...records(podSpec.initContainers)]) {
    for (const from of records(container.envFrom)) {
      refIn(from, 'configMapRef', 'ConfigMap', 'name', each);
      refIn(from, 'secretRef', 'Secret', 'name', each);
    }
    for (const env of records(container.env)) {
      refIn(env.valueFrom, 'configMapKeyRef', 'ConfigMap', 'name', each);
      refIn(env.valueFrom, 'secretKeyRef', 'Secret', 'name', each);
    }
  }
}

/**
 * One visit per place a pod spec names a ConfigMap or Secret: volumes (configMap, secret, projected
 * sources), and each container's and init container's envFrom and env valueFrom. `at` is the object
 * holding the name, `key` the name's field, so a caller may read or rewrite it.
 */
function visit(podSpec: unknown, each: Visitor): void {
  if (!isRecord(podSpec)) return;
  visitVolumes(podSpec, each);
  visitContainers(podSpec, each);
}

/** Every ConfigMap and Secret a pod spec names, once each; optional only if every mention is. */
export function configRefs(podSpec: unknown): ConfigRef[] {
  const found = new Map<string, ConfigRef>();
  visit(podSpec, (kind, at, key) => {
    const name = at[key];
    if (typeof name !== 'string' || name === '') return;
    const id = `${kind}/${name}`;
    const optional = at.optional === true && (found.get(id)?.optional ?? true);
    found.set(id, { kind, name, optional });
  });
  return [...found.values()];
}

/** A copy of the pod spec whose references to tracked objects name their `-primary` copies. */
export function pointAtCopies(
  podSpec: unknown,
  tracked: readonly { kind: ConfigKind; name: string }[],
): unknown {
  if (tracked.length === 0) return podSpec;
  const ids = new Set(tracked.map((t) => `${t.kind}/${t.name}`));
  const copy = structuredClone(podSpec);
  visit(copy, (kind, at, key) => {
    const name = at[key];
    if (typeof name === 'string' && ids.has(`${kind}/${name}`)) at[key] = configCopyName(name);
  });
  return copy;
}

/** The content of a ConfigMap or Secret that its pods see. */
export function configContent(object: Json): Json {
  const content: Json = {};
  for (const key of ['data', 'binaryData', 'type', 'immutable'] as const) {
    if (object[key] !== undefined) content[key] = object[key];
  }
  return content;
}

/**
 * A short hash of the content (never the content itself: a Secret's hash is all that reaches the
 * revision, status and Events). Key order does not matter.
 */
export function contentHash(object: Json): string {
  const content = configContent(object);
  const canonical = (value: unknown): unknown =>
    isRecord(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical(value[k])]),
        )
      : value;
  return createHash('sha256')
    .update(JSON.stringify(canonical(content)))
    .digest('hex')
    .slice(0, 16);
}
