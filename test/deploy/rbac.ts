/**
 * RBAC as kube-apiserver's authorizer applies it, for the least-privilege tests: the roles a
 * rendered installation binds to the controller's ServiceAccount, and which of their rules allow a
 * request the simulator recorded.
 */
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import type { AuditRecord } from '../../src/sim/kube/index.ts';

export interface PolicyRule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly resourceNames?: string[];
  readonly verbs: string[];
  readonly nonResourceURLs?: string[];
}

/** A rule as granted: a ClusterRole's through a ClusterRoleBinding (everywhere), or a Role's in its namespace. */
export interface GrantedRule {
  readonly rule: PolicyRule;
  /** undefined: every namespace and cluster-scoped objects. */
  readonly namespace: string | undefined;
  /** `ClusterRole/serin-controller#3`, for messages. */
  readonly origin: string;
}

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: PolicyRule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

/** `kubectl kustomize <dir>` as objects. */
export function renderKustomization(dir: string): Doc[] {
  const text = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
}

/** The Kubernetes user name of a ServiceAccount, as its token authenticates. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** Every rule the rendered objects grant the ServiceAccount, and where. */
export function grantedRules(docs: readonly Doc[], sa: { namespace: string; name: string }): GrantedRule[] {
  const roles = new Map(
    docs
      .filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role')
      .map((d) => [`${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`, d]),
  );
  const granted: GrantedRule[] = [];
  for (const binding of docs.filter((d) => d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding')) {
    const bound = (binding.subjects ?? []).some(
      (s) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace,
    );
    if (!bound || binding.roleRef === undefined) continue;
    const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
    const roleNamespace = binding.roleRef.kind === 'Role' ? (namespace ?? '') : '';
    const role = roles.get(`${binding.roleRef.kind}/${roleNamespace}/${binding.roleRef.name}`);
    if (role === undefined)
      throw new Error(
        `${binding.kind} ${binding.metadata.name} refers to a missing ${binding.roleRef.kind} ${binding.roleRef.name}`,
      );
    (role.rules ?? []).forEach((rule, index) => {
      granted.push({
        rule,
        namespace,
        origin: `${role.kind}/${role.metadata.name}#${index} via ${binding.kind}/${binding.metadata.name}`,
      });
    });
  }
  return granted;
}

type ResourceRecord = Extract<AuditRecord, { kind: 'resource' }>;

/** `resource` or `resource/subresource`, as RBAC rules name them. */
export function resourceName(r: ResourceRecord): string {
  return r.subresource === undefined ? r.resource : `${r.resource}/${r.subresource}`;
}

/** Whether a granted rule allows the request (RBAC: group, resource, verb, resourceNames, namespace). */
export function allows(g: GrantedRule, r: ResourceRecord): boolean {
  const { rule } = g;
  if (g.namespace !== undefined && r.namespace !== g.namespace) return false;
  if (!(rule.apiGroups ?? []).some((x) => x === '*' || x === r.apiGroup)) return false;
  if (!(rule.resources ?? []).some((x) => x === '*' || x === resourceName(r))) return false;
  if (!rule.verbs.some((x) => x === '*' || x === r.verb)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (r.name !== undefined && names.includes(r.name));
}

/** One (group, resource, verb) a rule grants, and the requests it allowed. */
export interface Grant {
  readonly origin: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly verb: string;
}

/** Expands rules into their (group, resource, verb) grants; a `*` or a nonResourceURL is reported, not expanded. */
export function expand(granted: readonly GrantedRule[]): { grants: Grant[]; wildcards: string[] } {
  const grants: Grant[] = [];
  const wildcards: string[] = [];
  for (const g of granted) {
    const { rule } = g;
    const all = [
      ...(rule.apiGroups ?? []),
      ...(rule.resources ?? []),
      ...rule.verbs,
      ...(rule.resourceNames ?? []),
    ];
    if (all.some((x) => x.includes('*'))) wildcards.push(`${g.origin}: ${JSON.stringify(rule)}`);
    if ((rule.nonResourceURLs ?? []).length > 0)
      wildcards.push(`${g.origin}: nonResourceURLs ${JSON.stringify(rule.nonResourceURLs)}`);
    for (const apiGroup of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs) grants.push({ origin: g.origin, apiGroup, resource, verb });
  }
  return { grants, wildcards };
}

/** `verb group/resource[/sub] ns/name`, for messages. */
export function describe(r: ResourceRecord): string {
  return `${r.verb} ${r.apiGroup === '' ? 'core' : r.apiGroup}/${resourceName(r)} ${r.namespace ?? '(all namespaces)'}/${r.name ?? '*'}`;
}

/**
 * What the least-privilege check finds: requests no rule allows, and grants no request used. Empty
 * lists mean the roles grant exactly what the controller used.
 */
export function compare(
  granted: readonly GrantedRule[],
  requests: readonly ResourceRecord[],
): { missing: string[]; unused: string[]; wildcards: string[] } {
  const missing = [
    ...new Set(requests.filter((r) => !granted.some((g) => allows(g, r))).map(describe)),
  ].sort();
  const { grants, wildcards } = expand(granted);
  const unused: string[] = [];
  for (const grant of grants) {
    const origin = granted.find((g) => g.origin === grant.origin)!;
    const used = requests.some(
      (r) =>
        r.verb === grant.verb &&
        r.apiGroup === grant.apiGroup &&
        resourceName(r) === grant.resource &&
        allows(origin, r),
    );
    if (!used)
      unused.push(
        `${grant.origin}: ${grant.verb} ${grant.apiGroup === '' ? 'core' : grant.apiGroup}/${grant.resource}`,
      );
  }
  return { missing, unused, wildcards };
}
