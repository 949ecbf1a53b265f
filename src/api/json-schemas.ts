import { z } from 'zod';
import { AnalysisTemplate, ClusterAnalysisTemplate } from './analysis-template.ts';
import { Approval } from './approval.ts';
import { Canary } from './canary.ts';

type Schema = Record<string, unknown>;

/** One kind's JSON Schema for editors (yaml-language-server), and the file it is written to. */
export interface EditorSchema {
  readonly kind: string;
  /** File name under schemas/, e.g. canary.json. */
  readonly file: string;
  readonly schema: Schema;
}

const KINDS: readonly { kind: string; schema: z.ZodType; description: string }[] = [
  {
    kind: 'Canary',
    schema: Canary,
    description:
      'A canary rollout of a Deployment, routed through Istio VirtualServices and judged by analysis.',
  },
  {
    kind: 'AnalysisTemplate',
    schema: AnalysisTemplate,
    description: 'Metrics, queries and conditions that decide whether a canary is healthy.',
  },
  {
    kind: 'ClusterAnalysisTemplate',
    schema: ClusterAnalysisTemplate,
    description: 'A cluster-wide AnalysisTemplate that any namespace may reference.',
  },
  {
    kind: 'Approval',
    schema: Approval,
    description: 'An auditable human decision (promote, abort, retry, ...) about one revision of a Canary.',
  },
];

const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Removes the Kubernetes extensions (x-kubernetes-*): editors and validators do not know them. */
function withoutKubernetesKeys(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutKubernetesKeys);
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => !key.startsWith('x-kubernetes-'))
      .map(([key, value]) => [key, withoutKubernetesKeys(value)]),
  );
}

/**
 * The JSON Schema (draft-07, which every yaml-language-server version reads) of each kind, from the
 * same zod schemas as the CRDs. Objects that serin parses strictly refuse unknown keys, so an editor
 * flags a misspelt field as the API server's strict field validation would; defaults are shown but
 * not required (the input shape, as people write it).
 */
export function buildJsonSchemas(): EditorSchema[] {
  return KINDS.map(({ kind, schema, description }) => {
    const json = z.toJSONSchema(schema, {
      target: 'draft-07',
      io: 'input',
      unrepresentable: 'any',
      override: (ctx) => {
        const def = ctx.zodSchema._zod.def;
        // zod leaves additionalProperties open in the input shape; a loose object has a catchall.
        if (def.type === 'object' && !('catchall' in def && def.catchall !== undefined)) {
          if (ctx.jsonSchema.additionalProperties === undefined) ctx.jsonSchema.additionalProperties = false;
        }
      },
    });
    const file = `${kind.toLowerCase()}.json`;
    const clean = withoutKubernetesKeys(json) as Schema;
    return {
      kind,
      file,
      schema: {
        ...clean,
        $id: `https://serin.dev/schemas/v1alpha1/${file}`,
        title: kind,
        description: `${description} (serin.dev/v1alpha1 ${kind}; generated from src/api by npm run gen:crds)`,
      },
    };
  });
}
