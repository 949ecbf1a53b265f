/**
 * `SelfSubjectAccessReview` (authorization.k8s.io/v1): "may I?" for the caller, answered by the
 * same deny list that refuses the requests themselves, so a client that greys out a button it may
 * not use (the dashboard) agrees with the 403 the request would get.
 */
import type { AuthorizerVerb } from './audit.ts';
import type { ApiResult } from './context.ts';
import type { Denials } from './denials.ts';
import { failureStatus, KubeApiError, methodNotAllowed } from './status.ts';

const PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const VERBS: readonly string[] = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
];

interface ResourceAttributes {
  namespace?: unknown;
  verb?: unknown;
  group?: unknown;
  resource?: unknown;
  name?: unknown;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function invalid(message: string): KubeApiError {
  return new KubeApiError(
    failureStatus(422, 'Invalid', `SelfSubjectAccessReview.authorization.k8s.io is invalid: ${message}`, {
      group: 'authorization.k8s.io',
      kind: 'SelfSubjectAccessReview',
    }),
  );
}

/**
 * Answers a SelfSubjectAccessReview create for `user`, or returns undefined when the request is not
 * one. Like the real endpoint it stores nothing and echoes the spec with `status.allowed` (201).
 * Only resource attributes are understood; a non-resource review is refused as invalid.
 */
export function selfSubjectAccessReview(
  method: string,
  pathname: string,
  user: string,
  body: unknown,
  denials: Denials | undefined,
): ApiResult | undefined {
  if (pathname !== PATH) return undefined;
  if (method !== 'POST') throw methodNotAllowed(method);
  const spec = (body as { spec?: { resourceAttributes?: ResourceAttributes } } | undefined)?.spec;
  const attrs = spec?.resourceAttributes;
  if (attrs === undefined)
    throw invalid('spec.resourceAttributes: Required value (this simulator answers resource reviews only)');
  const verb = text(attrs.verb);
  if (verb === undefined || !VERBS.includes(verb))
    throw invalid(`spec.resourceAttributes.verb: Unsupported value: ${JSON.stringify(attrs.verb)}`);
  const resource = text(attrs.resource) ?? '';
  const denied =
    denials?.denies({
      user,
      verb: verb as AuthorizerVerb,
      apiGroup: text(attrs.group) ?? '',
      resource,
      namespace: text(attrs.namespace),
      name: text(attrs.name),
    }) ?? false;
  return {
    code: 201,
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: { creationTimestamp: null },
      spec,
      status: denied
        ? { allowed: false, reason: `the simulator's deny list forbids ${verb} on ${resource} for "${user}"` }
        : { allowed: true, reason: 'the simulator allows what no deny rule forbids' },
    },
    warnings: [],
  };
}
