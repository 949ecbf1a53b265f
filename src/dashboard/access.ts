import { errorFromNetwork, errorFromResponse } from '../kube/errors.ts';
import type { KubeClient } from '../kube/index.ts';
import type { Permission } from './api-types.ts';
import { describeFailure } from './failure.ts';

const REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/**
 * May the user create Approvals in `namespace`? A SelfSubjectAccessReview asks the API server's
 * authorizer, so the page greys out exactly the buttons whose request RBAC would refuse. A review
 * that cannot be asked leaves the buttons enabled: the request itself is still authorised by the
 * API server, and its refusal is shown in the page.
 */
export async function mayCreateApprovals(
  client: KubeClient,
  namespace: string,
  signal?: AbortSignal,
): Promise<Permission> {
  let res;
  try {
    res = await client.transport.send({
      method: 'POST',
      path: REVIEW_PATH,
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: { namespace, verb: 'create', group: 'serin.dev', resource: 'approvals' },
        },
      },
      contentType: 'application/json',
      signal,
    });
  } catch (err) {
    const failure = errorFromNetwork(err, signal);
    return {
      allowed: true,
      reason: `could not ask the API server (${failure.message}); it decides on each request`,
    };
  }
  if (res.status < 200 || res.status >= 300) {
    const failure = describeFailure(errorFromResponse(res.status, res.body), {
      verb: 'create',
      resource: 'selfsubjectaccessreviews.authorization.k8s.io',
    });
    return { allowed: true, reason: `${failure}; the API server decides on each request` };
  }
  const status = (res.body as { status?: { allowed?: unknown; reason?: unknown } } | undefined)?.status;
  if (status?.allowed === true) return { allowed: true, reason: '' };
  const why = typeof status?.reason === 'string' && status.reason !== '' ? `: ${status.reason}` : '';
  return {
    allowed: false,
    reason: `your RBAC does not allow creating approvals.serin.dev in namespace "${namespace}"${why}`,
  };
}
