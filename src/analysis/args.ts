import type { AnalysisArg, AnalysisTemplateSpec, Canary, TemplateArg } from '../api/index.ts';
import type { SecretReader } from '../ports/index.ts';
import type { ResolvedArgs } from './measure.ts';

/**
 * Template argument resolution: a Canary's args merged with the templates' declared args,
 * Secret-backed args read through the port, and the built-in `canary.*` args.
 */

/** The values of the built-in placeholders for one Canary and revision. */
export interface BuiltinArgValues {
  readonly name: string;
  readonly namespace: string;
  readonly workload: string;
  readonly primaryWorkload: string;
  readonly service: string;
  readonly revision: string;
}

/**
 * The built-in args of a Canary: its name and namespace, the target Deployment (`workload`), the
 * primary Deployment serin runs beside it (`<workload>-primary`), the Service and the revision.
 */
export function builtinArgsFor(canary: Canary, revision: string): BuiltinArgValues {
  const workload = canary.spec.targetRef.name;
  return {
    name: canary.metadata.name,
    namespace: canary.metadata.namespace ?? 'default',
    workload,
    primaryWorkload: `${workload}-primary`,
    service: canary.spec.service.name,
    revision,
  };
}

export type ArgsResult = { ok: true; args: ResolvedArgs } | { ok: false; error: string };

/** What `resolveArgs` combines. */
export interface ResolveArgsInput {
  readonly templates: readonly AnalysisTemplateSpec[];
  /** Values given by the Canary (or `--arg`); they override template defaults. */
  readonly supplied?: readonly AnalysisArg[];
  readonly builtins?: BuiltinArgValues;
  readonly secrets?: SecretReader;
  /** Namespace of Secret-backed args. */
  readonly namespace?: string;
}

/** Merges the declared args of several templates; two different defaults for one name is an error. */
export function mergeDeclaredArgs(
  templates: readonly AnalysisTemplateSpec[],
): { ok: true; args: TemplateArg[] } | { ok: false; error: string } {
  const byName = new Map<string, TemplateArg>();
  for (const template of templates) {
    for (const arg of template.args ?? []) {
      const known = byName.get(arg.name);
      if (known === undefined) {
        byName.set(arg.name, arg);
        continue;
      }
      if (known.value !== undefined && arg.value !== undefined && known.value !== arg.value) {
        return { ok: false, error: `argument "${arg.name}" has different values in two templates` };
      }
      if (known.value === undefined && known.valueFrom === undefined) byName.set(arg.name, arg);
    }
  }
  return { ok: true, args: [...byName.values()] };
}

async function argValue(
  arg: TemplateArg,
  supplied: ReadonlyMap<string, string>,
  input: ResolveArgsInput,
): Promise<{ ok: true; value: string; secret: boolean } | { ok: false; error: string }> {
  const given = supplied.get(arg.name);
  if (given !== undefined) return { ok: true, value: given, secret: false };
  if (arg.value !== undefined && arg.valueFrom !== undefined) {
    return { ok: false, error: `argument "${arg.name}" sets both value and valueFrom` };
  }
  if (arg.value !== undefined) return { ok: true, value: arg.value, secret: false };
  if (arg.valueFrom !== undefined) {
    const ref = arg.valueFrom.secretKeyRef;
    if (input.secrets === undefined) {
      return {
        ok: false,
        error: `argument "${arg.name}" reads Secret ${ref.name}, but no Secret reader is configured`,
      };
    }
    const read = await input.secrets.read({
      ...ref,
      ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
    });
    if (!read.ok)
      return { ok: false, error: `argument "${arg.name}": Secret ${ref.name} key ${ref.key}: ${read.error}` };
    return { ok: true, value: read.value, secret: true };
  }
  return {
    ok: false,
    error: `argument "${arg.name}" has no value: pass it from the Canary (or with --arg ${arg.name}=...)`,
  };
}

/**
 * Resolves every declared arg to a value. Supplied values win over template defaults; an arg with
 * no value is an error, never an empty string. Supplied args no template declares are ignored
 * (several templates share one list of args). Never throws.
 */
export async function resolveArgs(input: ResolveArgsInput): Promise<ArgsResult> {
  const declared = mergeDeclaredArgs(input.templates);
  if (!declared.ok) return declared;
  const supplied = new Map((input.supplied ?? []).map((arg) => [arg.name, arg.value] as const));
  const values: Record<string, string> = {};
  const secrets: string[] = [];
  for (const arg of declared.args) {
    const resolved = await argValue(arg, supplied, input);
    if (!resolved.ok) return resolved;
    values[`args.${arg.name}`] = resolved.value;
    if (resolved.secret) secrets.push(resolved.value);
  }
  if (input.builtins) {
    for (const [key, value] of Object.entries(input.builtins)) values[`canary.${key}`] = value as string;
  }
  return { ok: true, args: { values, secrets } };
}
