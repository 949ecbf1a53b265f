/** Turns CustomResourceDefinition YAML into resource types whose schemas are enforced on writes. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { evaluateRules, precompileRules } from './cel-rules.ts';
import { listDuplicates } from './list-types.ts';
import { pruneAndDefault, pruneMetadata, schemaAt } from './structural.ts';
import type { SchemaNode } from './structural.ts';
import { compileValidator } from './validation.ts';
import { isRecord } from './types.ts';
import type { AdmitResult, KubeObject, PrinterColumn, ResourceType, VersionSchema } from './types.ts';

/** A CRD file that could not be turned into a resource type. */
export class CrdLoadError extends Error {
  readonly code = 'CRD_LOAD';
  constructor(message: string) {
    super(message);
    this.name = 'CrdLoadError';
  }
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: SchemaNode };
  subresources?: { status?: unknown; scale?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: {
    kind: string;
    listKind?: string;
    plural: string;
    singular?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions: CrdVersion[];
}

/** Builds the admission function for one version's schema. */
export function versionSchema(schema: SchemaNode): VersionSchema {
  const validate = compileValidator(schema);
  precompileRules(schema);
  const ruleSchema = withoutMetadata(schema);
  return {
    openAPIV3Schema: schema,
    admit(obj: KubeObject, old: KubeObject | undefined): AdmitResult {
      const pruned = [...pruneMetadata(obj), ...pruneAndDefault(obj, schema)];
      const causes = [...validate(obj), ...listDuplicates(ruleSchema, obj)];
      const ruleCauses = evaluateRules(ruleSchema, obj, old);
      return { pruned, causes: [...causes, ...ruleCauses] };
    },
    listMapKeys(path) {
      const node = schemaAt(schema, path);
      return node?.['x-kubernetes-list-type'] === 'map'
        ? (node['x-kubernetes-list-map-keys'] ?? [])
        : undefined;
    },
  };
}

function withoutMetadata(schema: SchemaNode): SchemaNode {
  if (!isRecord(schema.properties)) return schema;
  const { metadata: _metadata, ...rest } = schema.properties;
  return { ...schema, properties: rest };
}

/** Converts one parsed CRD document into a ResourceType. */
export function resourceTypeFromCrd(doc: unknown, source: string): ResourceType {
  if (!isRecord(doc) || doc.kind !== 'CustomResourceDefinition' || !isRecord(doc.spec)) {
    throw new CrdLoadError(`${source}: not a CustomResourceDefinition`);
  }
  const spec = doc.spec as unknown as CrdSpec;
  const served = spec.versions.filter((v) => v.served);
  const storage = spec.versions.find((v) => v.storage);
  if (storage === undefined || served.length === 0) {
    throw new CrdLoadError(`${source}: ${spec.names.plural}.${spec.group} has no storage or served version`);
  }
  const schemas = new Map<string, VersionSchema>();
  for (const v of served) {
    const s = v.schema?.openAPIV3Schema;
    if (s !== undefined) schemas.set(v.name, versionSchema(s));
  }
  return {
    group: spec.group,
    versions: sortVersions(served.map((v) => v.name)),
    storageVersion: storage.name,
    kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    namespaced: spec.scope === 'Namespaced',
    custom: true,
    statusSubresource: storage.subresources?.status !== undefined,
    scaleSubresource: storage.subresources?.scale !== undefined,
    unconditionalUpdate: false,
    generation: true,
    schemas,
    selectableFields: [],
    printerColumns: new Map(served.map((v) => [v.name, v.additionalPrinterColumns ?? []])),
  };
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first. */
export function sortVersions(versions: string[]): string[] {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (m === null) return [3, 0, 0];
    const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  return [...versions].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2];
  });
}

// Parsing Istio's 9,000-line CRD file takes about a second; every simulator in a process shares it.
const parsedFiles = new Map<string, unknown[]>();

/** Loads every CRD document in a YAML file (parsed once per process; types are fresh each call). */
export function loadCrdFile(file: string): ResourceType[] {
  const cached = parsedFiles.get(file);
  if (cached !== undefined) return cached.map((d) => resourceTypeFromCrd(structuredClone(d), file));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CrdLoadError(`cannot read CRD file ${file}: ${(err as Error).message}`);
  }
  const docs = parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null && d !== undefined);
  parsedFiles.set(file, docs);
  return docs.map((d) => resourceTypeFromCrd(structuredClone(d), file));
}
