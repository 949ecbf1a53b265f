import { z } from 'zod';
import { AnalysisTemplateSpec } from './analysis-template.ts';
import { ApprovalSpec, ApprovalStatus } from './approval.ts';
import { CanarySpec, CanaryStatus } from './canary.ts';
import { GROUP, VERSION } from './common.ts';

type Schema = Record<string, unknown>;

/** A CustomResourceDefinition object, ready to be written as YAML. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: Schema;
}

const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keywords that JSON Schema allows but a Kubernetes structural schema does not. */
const DROPPED_KEYWORDS = [
  '$schema',
  '$ref',
  '$defs',
  'definitions',
  'propertyNames',
  'additionalProperties',
  'const',
];

/**
 * Rewrites the OpenAPI produced by zod into a Kubernetes structural schema:
 * no $ref/$schema, unions of single-key objects hoisted into one object with an
 * "exactly one of" CEL rule, number|string unions as x-kubernetes-int-or-string,
 * and untyped nodes marked to keep their unknown fields.
 */
export function toStructural(node: unknown): Schema {
  if (!isObject(node)) return {};
  if (node['x-kubernetes-int-or-string'] === true) {
    return pick(node, ['description', 'x-kubernetes-int-or-string']);
  }
  if (node['x-kubernetes-preserve-unknown-fields'] === true) {
    return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...pick(node, ['description']) };
  }
  const variants = node.anyOf ?? node.oneOf;
  if (Array.isArray(variants)) return hoistUnion(node, variants);

  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYWORDS.includes(key)) continue;
    if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, toStructural(sub)]),
      );
    } else if (key === 'items') {
      out.items = toStructural(value);
    } else {
      out[key] = value;
    }
  }
  if (isObject(node.additionalProperties) && node.properties === undefined) {
    out.additionalProperties = toStructural(node.additionalProperties);
  }
  if (out.type === undefined)
    return { 'x-kubernetes-preserve-unknown-fields': true, ...pick(out, ['description']) };
  return out;
}

function pick(node: Schema, keys: string[]): Schema {
  return Object.fromEntries(keys.filter((key) => key in node).map((key) => [key, node[key]]));
}

function hoistUnion(node: Schema, variants: unknown[]): Schema {
  const objects = variants.filter(isObject);
  if (objects.every((variant) => variant.type === 'object')) {
    const properties: Schema = {};
    for (const variant of objects) Object.assign(properties, variant.properties);
    const names = Object.keys(properties);
    return {
      ...pick(node, ['description']),
      type: 'object',
      properties: toStructural({ type: 'object', properties }).properties,
      'x-kubernetes-validations': [
        {
          rule: `[${names.map((name) => `has(self.${name})`).join(', ')}].exists_one(x, x)`,
          message: `must set exactly one of ${names.join(', ')}`,
        },
      ],
    };
  }
  const types = new Set(objects.map((variant) => variant.type));
  if (types.has('string') && (types.has('integer') || types.has('number'))) {
    return { ...pick(node, ['description']), 'x-kubernetes-int-or-string': true };
  }
  throw new Error(`cannot express a union of ${[...types].join(', ')} in a structural schema`);
}

function openApi(schema: z.ZodType): Schema {
  return toStructural(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }));
}

interface KindDefinition {
  kind: string;
  plural: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  spec: z.ZodType;
  status?: z.ZodType;
  printerColumns: Schema[];
  description: string;
}

// The texts Kubernetes' own types give these three fields, so that kubectl explain reads the same.
const API_VERSION_TEXT =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_TEXT =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const METADATA_TEXT =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

const AGE_COLUMN = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

const DEFINITIONS: KindDefinition[] = [
  {
    kind: 'Canary',
    plural: 'canaries',
    shortNames: ['scn'],
    scope: 'Namespaced',
    spec: CanarySpec,
    status: CanaryStatus,
    description:
      'A canary rollout of a Deployment, routed through Istio VirtualServices and judged by analysis.',
    printerColumns: [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Weight', type: 'integer', jsonPath: '.status.canaryWeight' },
      { name: 'Step', type: 'integer', jsonPath: '.status.currentStepIndex' },
      { name: 'Revision', type: 'string', jsonPath: '.status.revision', priority: 1 },
      { name: 'Message', type: 'string', jsonPath: '.status.message', priority: 1 },
      AGE_COLUMN,
    ],
  },
  {
    kind: 'AnalysisTemplate',
    plural: 'analysistemplates',
    shortNames: ['sat'],
    scope: 'Namespaced',
    spec: AnalysisTemplateSpec,
    description: 'Metrics, queries and conditions that decide whether a canary is healthy.',
    printerColumns: [AGE_COLUMN],
  },
  {
    kind: 'ClusterAnalysisTemplate',
    plural: 'clusteranalysistemplates',
    shortNames: ['scat'],
    scope: 'Cluster',
    spec: AnalysisTemplateSpec,
    description: 'A cluster-wide AnalysisTemplate that any namespace may reference.',
    printerColumns: [AGE_COLUMN],
  },
  {
    kind: 'Approval',
    plural: 'approvals',
    shortNames: ['sap'],
    scope: 'Namespaced',
    spec: ApprovalSpec,
    status: ApprovalStatus,
    description: 'An auditable human decision (promote, abort, retry, ...) about one revision of a Canary.',
    printerColumns: [
      { name: 'Canary', type: 'string', jsonPath: '.spec.canaryRef.name' },
      { name: 'Action', type: 'string', jsonPath: '.spec.action' },
      { name: 'Approver', type: 'string', jsonPath: '.spec.approver' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      AGE_COLUMN,
    ],
  },
];

function buildCrd(def: KindDefinition): CustomResourceDefinition {
  const properties: Schema = {
    apiVersion: { type: 'string', description: API_VERSION_TEXT },
    kind: { type: 'string', description: KIND_TEXT },
    metadata: { type: 'object', description: METADATA_TEXT },
    spec: openApi(def.spec),
  };
  if (def.status) properties.status = openApi(def.status);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'serin' } },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.kind.toLowerCase(),
        shortNames: def.shortNames,
        categories: ['serin'],
      },
      scope: def.scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: { description: def.description, type: 'object', properties, required: ['spec'] },
          },
          ...(def.status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: def.printerColumns,
        },
      ],
    },
  };
}

/** The CRDs of every serin kind, generated from the zod schemas (the single source of truth). */
export function buildCrds(): CustomResourceDefinition[] {
  return DEFINITIONS.map(buildCrd);
}
