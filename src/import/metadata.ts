import { arr, isObj, obj, str, type Obj } from './values.ts';
import type { ItemLog } from './report.ts';

/** Annotations that belong to the tool that applied the source object, not to its meaning. */
const TOOL_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

/** name, namespace, labels and annotations of an input object, for the serin object made from it. */
export function carryMetadata(metadata: Obj, log: ItemLog, name?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { name: name ?? str(metadata.name) ?? '' };
  const namespace = str(metadata.namespace);
  if (namespace !== undefined) out.namespace = namespace;
  if (isObj(metadata.labels)) out.labels = metadata.labels;
  const annotations = Object.fromEntries(
    Object.entries(obj(metadata.annotations)).filter(([key]) => !TOOL_ANNOTATIONS.includes(key)),
  );
  if (Object.keys(annotations).length > 0) out.annotations = annotations;
  log.unhandled(
    metadata,
    [
      'name',
      'namespace',
      'labels',
      'annotations',
      'uid',
      'resourceVersion',
      'generation',
      'creationTimestamp',
      'managedFields',
    ],
    'metadata',
  );
  return out;
}

/** Lowercase, `-` for anything else, at most 63 characters: a serin metric name. */
export function metricName(name: string): string {
  const clean = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 63)
    .replace(/[^a-z0-9]+$/g, '');
  return clean === '' ? 'metric' : clean;
}

export function names(values: unknown): string[] {
  return arr(values).flatMap((value) => {
    const name = str(obj(value).name);
    return name === undefined ? [] : [name];
  });
}
