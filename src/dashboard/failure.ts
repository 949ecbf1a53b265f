import { KubeConfigError, KubeError } from '../kube/index.ts';

/** What was being attempted, so a failure names the verb and the object as RBAC does. */
export interface Attempt {
  readonly verb: string;
  readonly resource: string;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

/**
 * A failed request as one sentence for the page. Kubernetes and kubeconfig errors are expected
 * (forbidden, unreachable); anything else is a bug and is rethrown.
 */
export function describeFailure(err: unknown, attempt: Attempt): string {
  if (err instanceof KubeConfigError) return err.message;
  if (!(err instanceof KubeError)) throw err;
  const object = attempt.name === undefined ? attempt.resource : `${attempt.resource} "${attempt.name}"`;
  const where = attempt.namespace === undefined ? 'in all namespaces' : `in namespace "${attempt.namespace}"`;
  const what = `${attempt.verb} ${object} ${where}`;
  if (err.code === 'Forbidden') return `forbidden: you may not ${what} (RBAC): ${err.message}`;
  if (err.code === 'Unauthorized') return `unauthorized: the API server refused your credentials (${what})`;
  if (err.code === 'Unreachable') return `cannot reach the API server (${what}): ${err.message}`;
  if (err.code === 'NotFound') return `not found: ${object} ${where}`;
  return `cannot ${what}: ${err.code} (HTTP ${err.status}): ${err.message}`;
}

/** The HTTP status the dashboard answers with for a failed API request. */
export function httpStatusOf(err: unknown): number {
  if (!(err instanceof KubeError)) return 502;
  if (err.code === 'Forbidden' || err.code === 'Unauthorized') return 403;
  if (err.code === 'NotFound') return 404;
  return 502;
}
