/**
 * Who asked for what: the simulator's stand-in for kube-apiserver's authenticator (bearer tokens
 * mapped to user names) and the request attributes its authorizer sees. Tests read the log to prove
 * that an RBAC role grants exactly what a client used.
 */
import type { Target } from './context.ts';
import { failureStatus, KubeApiError } from './status.ts';

/** The verbs kube-apiserver's authorizer uses for resource requests (RBAC's `verbs`). */
export type AuthorizerVerb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** One request as the authorizer saw it. */
export type AuditRecord =
  | {
      readonly kind: 'resource';
      readonly user: string;
      readonly verb: AuthorizerVerb;
      /** '' for the core group, as RBAC spells it. */
      readonly apiGroup: string;
      readonly resource: string;
      readonly subresource: string | undefined;
      /** undefined for cluster-scoped resources and for requests across all namespaces. */
      readonly namespace: string | undefined;
      readonly name: string | undefined;
    }
  | {
      readonly kind: 'nonResource';
      readonly user: string;
      readonly verb: string;
      readonly path: string;
    };

/** The user a request without credentials is, as with kube-apiserver's anonymous auth. */
export const ANONYMOUS = 'system:anonymous';

/** The user the simulator's default kubeconfig token authenticates as. */
export const DEFAULT_USER = 'serin-sim';

/**
 * The verb the authorizer derives from an HTTP method (k8s.io/apiserver RequestInfoFactory):
 * GET on a collection is list, `?watch=true` is watch, DELETE on a collection is deletecollection.
 */
export function authorizerVerb(method: string, named: boolean, watch: boolean): AuthorizerVerb | undefined {
  if (method === 'GET' || method === 'HEAD') return watch ? 'watch' : named ? 'get' : 'list';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return named ? 'delete' : 'deletecollection';
  return undefined;
}

/** Bearer tokens and the users they stand for, plus the log of what each user asked for. */
export class AuditLog {
  readonly #tokens = new Map<string, string>();
  readonly #records: AuditRecord[] = [];
  /** Arrival time (ms since the epoch) of each record, by index. */
  readonly #times: number[] = [];

  /** Maps a bearer token to a user name. */
  addToken(token: string, user: string): void {
    this.#tokens.set(token, user);
  }

  /**
   * The user of a request: anonymous without credentials; a bearer token nobody issued is refused
   * with 401, as kube-apiserver does, so a misconfigured client cannot pass as someone.
   */
  authenticate(authorization: string | undefined): string {
    if (authorization === undefined || authorization === '') return ANONYMOUS;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const user = match?.[1] === undefined ? undefined : this.#tokens.get(match[1]);
    if (user === undefined) throw new KubeApiError(failureStatus(401, 'Unauthorized', 'Unauthorized'));
    return user;
  }

  recordResource(user: string, method: string, target: Target, watch: boolean): void {
    const verb = authorizerVerb(method, target.name !== undefined, watch);
    if (verb === undefined) return;
    this.#times.push(Date.now());
    this.#records.push({
      kind: 'resource',
      user,
      verb,
      apiGroup: target.type.group,
      resource: target.type.plural,
      subresource: target.subresource,
      namespace: target.namespace,
      name: target.name,
    });
  }

  recordNonResource(user: string, method: string, path: string): void {
    this.#times.push(Date.now());
    this.#records.push({ kind: 'nonResource', user, verb: method.toLowerCase(), path });
  }

  /** Every request so far, in arrival order. */
  entries(): readonly AuditRecord[] {
    return [...this.#records];
  }

  /** Every request so far with its arrival time: who wrote when, for tests of fencing. */
  timed(): readonly { readonly at: number; readonly record: AuditRecord }[] {
    return this.#records.map((record, i) => ({ at: this.#times[i] ?? 0, record }));
  }

  clear(): void {
    this.#records.length = 0;
    this.#times.length = 0;
  }
}
