/**
 * The `meta.k8s.io/v1` Table format for custom resources, as kube-apiserver's CRD table convertor
 * serves it when a client asks with `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`: a Name
 * column, then the version's `additionalPrinterColumns` (or Age when it declares none), one row per
 * object with the object's metadata. This is what makes `kubectl get canaries` against the
 * simulator show serin's columns. Built-in kinds keep answering plain JSON (kubectl falls back).
 */
import { ageText } from '../../readmodel/age.ts';
import type { ApiResult, Target } from './context.ts';
import { isRecord, type KubeObject, type PrinterColumn } from './types.ts';

const AGE: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

/** True when the Accept header asks for a v1 (or v1beta1) Table first, as kubectl get does. */
export function wantsTable(accept: string | undefined): boolean {
  const first = (accept ?? '').split(',')[0] ?? '';
  const params = first.split(';').map((p) => p.trim());
  return params.includes('as=Table') && params.includes('g=meta.k8s.io');
}

/** `.status.phase` on an object; only the simple dotted paths CRD printer columns use in serin. */
function pathValue(obj: unknown, jsonPath: string): unknown {
  let value: unknown = obj;
  for (const key of jsonPath.replace(/^\./, '').split('.')) {
    if (!isRecord(value)) return undefined;
    value = value[key];
  }
  return value;
}

function cell(obj: KubeObject, column: PrinterColumn, now: number): unknown {
  const value = pathValue(obj, column.jsonPath);
  if (value === undefined || value === null) return null;
  // kube-apiserver turns date cells into ages itself; kubectl prints cells as given.
  return column.type === 'date' && typeof value === 'string' ? ageText(value, now) : value;
}

/**
 * Converts a successful GET (one object or a list) of a custom resource into a Table. Anything else
 * (errors, built-ins) is returned unchanged.
 */
export function asTable(result: ApiResult, target: Target): ApiResult {
  if (result.code !== 200 || !target.type.custom) return result;
  const body = result.body as {
    items?: KubeObject[];
    metadata?: Record<string, unknown>;
  } & Partial<KubeObject>;
  const objects = Array.isArray(body.items) ? body.items : [body as KubeObject];
  const declared = target.type.printerColumns?.get(target.version) ?? [];
  const columns = declared.length > 0 ? declared : [AGE];
  const now = Date.now();
  return {
    ...result,
    body: {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: Array.isArray(body.items)
        ? (body.metadata ?? {})
        : { resourceVersion: body.metadata?.resourceVersion },
      columnDefinitions: [
        {
          name: 'Name',
          type: 'string',
          format: 'name',
          description: 'Name must be unique within a namespace.',
          priority: 0,
        },
        ...columns.map((c) => ({
          name: c.name,
          type: c.type,
          format: c.format ?? '',
          description: c.description ?? '',
          priority: c.priority ?? 0,
        })),
      ],
      rows: objects.map((obj) => ({
        cells: [obj.metadata.name ?? '', ...columns.map((c) => cell(obj, c, now))],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
      })),
    },
  };
}
