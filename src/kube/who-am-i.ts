import { KubeError, errorFromNetwork, errorFromResponse } from './errors.ts';
import type { KubeConfig } from './client-node.ts';
import type { KubeClient } from './client.ts';

/** The caller as the API server knows it, and how serin learned it. */
export interface Identity {
  readonly username: string;
  /**
   * `SelfSubjectReview`: the API server said so (what admission sees as `request.userInfo`).
   * `kubeconfig`: the server does not serve SelfSubjectReview (before Kubernetes 1.28), so the name
   * is the kubeconfig's user entry, which only approximates the authenticated name.
   */
  readonly source: 'SelfSubjectReview' | 'kubeconfig';
}

const REVIEW_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';

/**
 * Asks the API server who the caller is (a `SelfSubjectReview`, authentication.k8s.io/v1). Falls
 * back to the kubeconfig's current user name only when the server does not serve the review (404):
 * any other failure (401, 403, unreachable) is the caller's to see, not a reason to guess.
 */
export async function whoAmI(
  client: KubeClient,
  kc: KubeConfig,
  opts: { signal?: AbortSignal | undefined } = {},
): Promise<Identity> {
  let res;
  try {
    res = await client.transport.send({
      method: 'POST',
      path: REVIEW_PATH,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      contentType: 'application/json',
      signal: opts.signal,
    });
  } catch (err) {
    throw errorFromNetwork(err, opts.signal);
  }
  if (res.status === 404) return { username: kc.getCurrentUser()?.name ?? 'unknown', source: 'kubeconfig' };
  if (res.status < 200 || res.status >= 300) throw errorFromResponse(res.status, res.body);
  const username = (res.body as { status?: { userInfo?: { username?: unknown } } } | undefined)?.status
    ?.userInfo?.username;
  if (typeof username !== 'string' || username === '') {
    throw new KubeError({
      code: 'Unknown',
      status: res.status,
      message: 'the SelfSubjectReview came back without status.userInfo.username',
    });
  }
  return { username, source: 'SelfSubjectReview' };
}
