import {
  parseKind,
  type AnalysisTemplateSpec,
  type Approval,
  type Canary,
  type TemplateRef,
  type VirtualServiceRef,
} from '../api/index.ts';
import { checkTemplateSpec, referencedTemplates, templateRefKey } from '../analysis/index.ts';
import type { KubeObject } from '../kube/index.ts';
import { splitApprovals, type InvalidApproval } from './approval-split.ts';
import type { ClusterReader } from './cluster-reader.ts';
import { readReferences, type WorkloadRefs } from './references.ts';
import {
  canaryServiceName,
  primaryName,
  primaryServiceName,
  type Deployment,
  type Service,
} from './workloads.ts';

export const SERIN_API = 'serin.dev/v1alpha1';
export const ISTIO_API = 'networking.istio.io/v1';

/** A VirtualService the Canary routes through, with the reference that names it. */
export interface RoutedVirtualService {
  readonly ref: VirtualServiceRef;
  readonly namespace: string;
  readonly object: KubeObject | undefined;
}

/** Everything one reconcile pass needs, read once at its start. */
export interface ReconcileContext {
  /** The Canary as stored (unvalidated: validation is a step of its own). */
  readonly raw: KubeObject;
  readonly namespace: string;
  readonly name: string;
  readonly target: Deployment | undefined;
  readonly primary: Deployment | undefined;
  readonly services: { readonly primary: Service | undefined; readonly canary: Service | undefined };
  readonly virtualServices: readonly RoutedVirtualService[];
  readonly approvals: readonly Approval[];
  /** This Canary's undecided Approvals that do not validate: rejected by the pass, never decided on. */
  readonly invalidApprovals?: readonly InvalidApproval[];
  /** Valid templates by reference key (`templateName/x`, `clusterTemplateName/y`); undefined = missing or invalid. */
  readonly templates: ReadonlyMap<string, AnalysisTemplateSpec | undefined>;
  /** Every referenced template as read, by the same key: validation says what is wrong with each. */
  readonly templateReads: ReadonlyMap<string, TemplateRead>;
  /** The target's autoscaler and ConfigMaps/Secrets; absent without a valid Canary and a target. */
  readonly refs?: WorkloadRefs;
}

// One definition of the template keys, shared with `serin replay` (src/analysis/template-refs.ts).
export { referencedTemplates, templateRefKey };

/** A referenced template as read: its validated spec, missing, or why it does not validate. */
export type TemplateRead =
  | { readonly kind: 'ok'; readonly spec: AnalysisTemplateSpec }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly field: string; readonly message: string };

// The API server validates templates against the installed CRD, which may be older than this
// controller; the template is parsed again here, and one that does not parse is not run.
async function readTemplate(
  reader: ClusterReader,
  namespace: string,
  ref: TemplateRef,
): Promise<TemplateRead> {
  const kind = 'templateName' in ref ? 'AnalysisTemplate' : 'ClusterAnalysisTemplate';
  const object =
    'templateName' in ref
      ? await reader.get({ apiVersion: SERIN_API, kind, namespace, name: ref.templateName })
      : await reader.get({ apiVersion: SERIN_API, kind, name: ref.clusterTemplateName });
  if (object === undefined) return { kind: 'missing' };
  const known = TEMPLATE_READS.get(object);
  if (known !== undefined) return known;
  const read = checkTemplate(kind, object);
  TEMPLATE_READS.set(object, read);
  return read;
}

/**
 * What a template read gave, per object. A cache hands every pass the same object until the
 * template changes (a change replaces it, never mutates it), and parsing, PromQL and CEL checks are
 * a pass's largest cost at 10,000 Canaries (docs/performance.md): each template object is checked
 * once. Objects read live are new each time, so a live reader never hits; a WeakMap lets a replaced
 * object and its read go together.
 */
const TEMPLATE_READS = new WeakMap<object, TemplateRead>();

function checkTemplate(
  kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate',
  object: KubeObject,
): TemplateRead {
  const parsed = parseKind(kind, object);
  if (!parsed.ok) {
    const [issue] = parsed.issues;
    return { kind: 'invalid', field: issue?.path ?? '', message: issue?.message ?? 'invalid' };
  }
  // What `serin lint` refuses beyond the schema (PromQL syntax, CEL, undeclared placeholders) would
  // fail mid-rollout as Error measurements: refuse it here, before any traffic moves.
  const [problem] = checkTemplateSpec(parsed.value.spec);
  if (problem) return { kind: 'invalid', field: problem.path, message: problem.message };
  return { kind: 'ok', spec: parsed.value.spec };
}

/**
 * Reads the Canary and everything it refers to. A Canary that no longer exists gives undefined.
 * `canary` is the validated form when the raw object parses; otherwise the raw spec's names are used
 * where they can be read, and validation reports the rest. Under a Controller `reader` answers from
 * its caches; the objects read are shared with them and never mutated.
 */
export async function gather(
  reader: ClusterReader,
  key: { namespace: string; name: string },
  canary: (raw: KubeObject) => Canary | undefined,
): Promise<ReconcileContext | undefined> {
  const { namespace, name } = key;
  const raw = await reader.get({ apiVersion: SERIN_API, kind: 'Canary', namespace, name });
  if (!raw) return undefined;
  const parsed = canary(raw);
  const targetName = parsed?.spec.targetRef.name;
  const serviceName = parsed?.spec.service.name;
  const deployment = (deploymentName: string) =>
    reader.get<Deployment & KubeObject>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace,
      name: deploymentName,
    });
  const service = (serviceFullName: string) =>
    reader.get<Service & KubeObject>({
      apiVersion: 'v1',
      kind: 'Service',
      namespace,
      name: serviceFullName,
    });

  const [target, primary, primaryService, canaryService, virtualServices, approvals, templates] =
    await Promise.all([
      targetName === undefined ? undefined : deployment(targetName),
      targetName === undefined ? undefined : deployment(primaryName(targetName)),
      serviceName === undefined ? undefined : service(primaryServiceName(serviceName)),
      serviceName === undefined ? undefined : service(canaryServiceName(serviceName)),
      Promise.all(
        (parsed?.spec.trafficRouting.istio.virtualServices ?? []).map(async (ref) => {
          const vsNamespace = ref.namespace ?? namespace;
          const object = await reader.get({
            apiVersion: ISTIO_API,
            kind: 'VirtualService',
            namespace: vsNamespace,
            name: ref.name,
          });
          return { ref, namespace: vsNamespace, object };
        }),
      ),
      reader.approvals(namespace, name),
      Promise.all(
        (parsed ? referencedTemplates(parsed) : []).map(
          async (ref) => [templateRefKey(ref), await readTemplate(reader, namespace, ref)] as const,
        ),
      ),
    ]);
  const refs = await readReferences(reader, { namespace, canary: parsed, target });
  return {
    ...(refs === undefined ? {} : { refs }),
    raw,
    namespace,
    name,
    target,
    primary,
    services: { primary: primaryService, canary: canaryService },
    virtualServices,
    ...approvalsOf(approvals, name),
    templates: new Map(templates.map(([key, read]) => [key, read.kind === 'ok' ? read.spec : undefined])),
    templateReads: new Map(templates),
  };
}

function approvalsOf(
  items: readonly KubeObject[],
  canary: string,
): { approvals: Approval[]; invalidApprovals: InvalidApproval[] } {
  const { valid, invalid } = splitApprovals(items, canary);
  return { approvals: valid, invalidApprovals: invalid };
}
