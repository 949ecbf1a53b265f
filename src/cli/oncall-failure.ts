import { KubeConfigError, KubeError } from '../kube/index.ts';
import { ONCALL_EXIT, type OncallExit } from './oncall-exit.ts';

/** A failure of an on-call verb: one line for the person, and the exit code for the script. */
export class OncallFailure extends Error {
  override readonly name = 'OncallFailure';
  readonly exitCode: OncallExit;

  constructor(message: string, exitCode: OncallExit, options?: { cause: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** What was being attempted when a request failed, so the message names the object and the verb. */
export interface Attempt {
  /** RBAC's verb: get, list, watch, create. */
  readonly verb: string;
  /** `canaries.serin.dev`, `approvals.serin.dev`, `events`. */
  readonly resource: string;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

function target(a: Attempt): string {
  const object = a.name === undefined ? a.resource : `${a.resource} "${a.name}"`;
  return a.namespace === undefined
    ? `${object} in all namespaces`
    : `${object} in namespace "${a.namespace}"`;
}

/**
 * Turns a failed request into a one-line {@link OncallFailure} naming what was attempted and why it
 * failed. Anything that is not a Kubernetes or kubeconfig error is a bug and is rethrown as is.
 */
export function explain(err: unknown, attempt: Attempt): OncallFailure {
  if (err instanceof OncallFailure) return err;
  if (err instanceof KubeConfigError)
    return new OncallFailure(err.message, ONCALL_EXIT.apiError, { cause: err });
  if (!(err instanceof KubeError)) throw err;
  const what = `${attempt.verb} ${target(attempt)}`;
  const [message, exitCode] = describe(err, attempt, what);
  return new OncallFailure(message, exitCode, { cause: err });
}

function describe(err: KubeError, attempt: Attempt, what: string): [string, OncallExit] {
  if (err.code === 'Forbidden')
    return [`forbidden: cannot ${what} (RBAC): ${err.message}`, ONCALL_EXIT.forbidden];
  if (err.code === 'Unauthorized') {
    return [
      `unauthorized: the API server refused this kubeconfig context's credentials (${what})`,
      ONCALL_EXIT.forbidden,
    ];
  }
  if (err.code === 'NotFound') {
    // A collection that is not found means the resource type itself is not served.
    const hint = attempt.name === undefined ? " (are serin's CRDs installed? kubectl apply -f crds/)" : '';
    return [`not found: ${target(attempt)}: ${err.message}${hint}`, ONCALL_EXIT.notFound];
  }
  if (err.code === 'Unreachable')
    return [`cannot reach the API server (${what}): ${err.message}`, ONCALL_EXIT.apiError];
  return [`cannot ${what}: ${err.code} (HTTP ${err.status}): ${err.message}`, ONCALL_EXIT.apiError];
}
