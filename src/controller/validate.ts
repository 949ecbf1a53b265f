import { parseKind, type Canary, type ParseResult } from '../api/index.ts';
import type { KubeObject } from '../kube/index.ts';
import type { ReconcileContext } from './gather.ts';
import { referencedTemplates, templateRefKey } from './gather.ts';

/** Why a Canary cannot be acted on: the reason (CamelCase), the field and a sentence for people. */
export interface Invalid {
  readonly reason:
    | 'InvalidSpec'
    | 'TargetNotFound'
    | 'VirtualServiceNotFound'
    | 'TemplateNotFound'
    | 'InvalidTemplate'
    | 'InvalidMachineState';
  readonly field: string;
  readonly message: string;
}

/**
 * A pass read the same stored Canary three times (gather, validate, decide), and zod parsed it each
 * time: the parse is kept per object read (the caches hand out the same object until the Canary
 * changes). The parsed Canary is shared, so it is read, never changed: a pass copies what it edits.
 */
const parsed = new WeakMap<KubeObject, ParseResult<Canary>>();

function parsedCanary(raw: KubeObject): ParseResult<Canary> {
  let result = parsed.get(raw);
  if (result === undefined) {
    result = parseKind('Canary', raw);
    parsed.set(raw, result);
  }
  return result;
}

/** Parses a stored Canary; undefined when its spec does not validate. */
export function parseCanary(raw: KubeObject): Canary | undefined {
  const result = parsedCanary(raw);
  return result.ok ? result.value : undefined;
}

/**
 * Checks what must hold before serin may touch traffic: a valid spec, an existing target, existing
 * VirtualServices and templates. Returns the first problem, or undefined when all is well.
 */
export function validate(ctx: ReconcileContext): Invalid | undefined {
  const result = parsedCanary(ctx.raw);
  if (!result.ok) {
    const issue = result.issues[0];
    const field = issue?.path ?? '';
    return {
      reason: 'InvalidSpec',
      field,
      message: `invalid spec: ${field}: ${issue?.message ?? 'invalid'}`,
    };
  }
  const canary = result.value;
  if (!ctx.target) {
    return {
      reason: 'TargetNotFound',
      field: 'spec.targetRef.name',
      message: `Deployment "${canary.spec.targetRef.name}" not found in namespace ${ctx.namespace}`,
    };
  }
  const missingVs = ctx.virtualServices.findIndex((vs) => vs.object === undefined);
  const vs = ctx.virtualServices[missingVs];
  if (vs) {
    return {
      reason: 'VirtualServiceNotFound',
      field: `spec.trafficRouting.istio.virtualServices[${missingVs}].name`,
      message: `VirtualService "${vs.ref.name}" not found in namespace ${vs.namespace}`,
    };
  }
  return templateProblem(canary, ctx);
}

function templateProblem(canary: Canary, ctx: ReconcileContext): Invalid | undefined {
  for (const ref of referencedTemplates(canary)) {
    // A template gather did not read is as good as missing: fail closed, never run without it.
    const read = ctx.templateReads.get(templateRefKey(ref));
    if (read?.kind === 'ok') continue;
    const kind = 'templateName' in ref ? 'AnalysisTemplate' : 'ClusterAnalysisTemplate';
    const name = 'templateName' in ref ? ref.templateName : ref.clusterTemplateName;
    if (read === undefined || read.kind === 'missing') {
      return { reason: 'TemplateNotFound', field: 'spec.steps', message: `${kind} "${name}" not found` };
    }
    return {
      reason: 'InvalidTemplate',
      field: 'spec.steps',
      message: `${kind} "${name}" is invalid: ${read.field}: ${read.message}`,
    };
  }
  return undefined;
}
