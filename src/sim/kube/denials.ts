/**
 * A deny list standing in for RBAC: the simulator authorises everything except what a test forbids,
 * and answers a forbidden request with kube-apiserver's own 403 Status, so that a client's
 * "forbidden" handling is exercised against the real wording.
 */
import { authorizerVerb, type AuthorizerVerb } from './audit.ts';
import type { Target } from './context.ts';
import { failureStatus, KubeApiError } from './status.ts';

/** What to refuse; an absent field matches anything. */
export interface DenyRule {
  user?: string;
  verb?: AuthorizerVerb;
  /** API group ('' for core), as RBAC spells it. */
  apiGroup?: string;
  /** Plural resource name, as RBAC spells it. */
  resource?: string;
  namespace?: string;
  /** One object's name (RBAC's resourceNames). */
  name?: string;
}

/** What RBAC decides on: who, which verb, and on what. */
export interface Attributes {
  user: string;
  verb: AuthorizerVerb;
  apiGroup: string;
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
}

function matches(rule: DenyRule, a: Attributes): boolean {
  return (
    (rule.user === undefined || rule.user === a.user) &&
    (rule.verb === undefined || rule.verb === a.verb) &&
    (rule.apiGroup === undefined || rule.apiGroup === a.apiGroup) &&
    (rule.resource === undefined || rule.resource === a.resource) &&
    (rule.namespace === undefined || rule.namespace === a.namespace) &&
    (rule.name === undefined || rule.name === a.name)
  );
}

/** kube-apiserver's message (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.forbiddenMessage). */
function forbidden(a: Attributes): KubeApiError {
  const qualified = a.apiGroup === '' ? a.resource : `${a.resource}.${a.apiGroup}`;
  const object = a.name === undefined ? qualified : `${qualified} "${a.name}"`;
  const scope = a.namespace === undefined ? 'at the cluster scope' : `in the namespace "${a.namespace}"`;
  const message =
    `${object} is forbidden: User "${a.user}" cannot ${a.verb} resource "${a.resource}" ` +
    `in API group "${a.apiGroup}" ${scope}`;
  return new KubeApiError(
    failureStatus(403, 'Forbidden', message, {
      ...(a.name === undefined ? {} : { name: a.name }),
      group: a.apiGroup,
      kind: a.resource,
    }),
  );
}

/** The rules a test added; checked after authentication, before the request is served. */
export class Denials {
  readonly #rules: DenyRule[] = [];

  add(rule: DenyRule): void {
    this.#rules.push(rule);
  }

  /** Whether a rule denies the request these attributes describe (a SelfSubjectAccessReview's question). */
  denies(attributes: Attributes): boolean {
    return this.#rules.some((rule) => matches(rule, attributes));
  }

  /** Throws a 403 KubeApiError when a rule denies this resource request. */
  check(user: string, method: string, target: Target, watch: boolean): void {
    const verb = authorizerVerb(method, target.name !== undefined, watch);
    if (verb === undefined) return;
    const attributes: Attributes = {
      user,
      verb,
      apiGroup: target.type.group,
      resource: target.type.plural,
      namespace: target.namespace,
      name: target.name,
    };
    if (this.#rules.some((rule) => matches(rule, attributes))) throw forbidden(attributes);
  }
}
