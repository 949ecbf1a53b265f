/**
 * `SelfSubjectReview` (authentication.k8s.io/v1, GA in Kubernetes 1.28): "who am I" as the API
 * server authenticated the request. `serin promote` and friends put that name in `spec.approver`,
 * which the approval admission policy compares with `request.userInfo.username`.
 */
import type { ApiResult } from './context.ts';
import { methodNotAllowed } from './status.ts';

const PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';

/** The groups kube-apiserver adds to every authenticated (or anonymous) user. */
function groupsOf(user: string): string[] {
  return user === 'system:anonymous' ? ['system:unauthenticated'] : ['system:authenticated'];
}

/**
 * Answers a SelfSubjectReview create for `user`, or returns undefined when the request is not one.
 * Like the real endpoint it stores nothing: the body's spec is ignored and the review comes back
 * with `status.userInfo` filled in (201 Created).
 */
export function selfSubjectReview(method: string, pathname: string, user: string): ApiResult | undefined {
  if (pathname !== PATH) return undefined;
  if (method !== 'POST') throw methodNotAllowed(method);
  return {
    code: 201,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: { creationTimestamp: null },
      status: { userInfo: { username: user, groups: groupsOf(user) } },
    },
    warnings: [],
  };
}
