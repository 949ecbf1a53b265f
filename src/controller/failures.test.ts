import { describe, expect, expectTypeOf, it } from 'vitest';
import { KubeError } from '../kube/index.ts';
import {
  CONFIGURATION_ERRORS,
  EffectError,
  classifyFailure,
  isFenced,
  type PassFailureReason,
} from './failures.ts';

describe('pass failure reasons', () => {
  it('types CONFIGURATION_ERRORS against the failure reasons, so a typo does not compile', () => {
    expectTypeOf(CONFIGURATION_ERRORS).toEqualTypeOf<ReadonlySet<PassFailureReason>>();
    // @ts-expect-error 'RouteNotFund' is no failure reason
    expect(CONFIGURATION_ERRORS.has('RouteNotFund')).toBe(false);
    // @ts-expect-error EffectError codes are typed too
    expect(new EffectError('Oops', 'x').code).toBe('Oops');
  });

  it('stalls on what a person must fix and retries the rest', () => {
    expect(classifyFailure(new EffectError('RouteNotFound', 'no route'))).toEqual({
      reason: 'RouteNotFound',
      message: 'no route',
      stalled: true,
    });
    expect(classifyFailure(new EffectError('Conflict', 'kept changing')).stalled).toBe(false);
    const forbidden = new KubeError({
      code: 'Forbidden',
      status: 403,
      message: 'deployments.apps "x" is forbidden: ...',
      request: { verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'team-a', name: 'x' },
    });
    expect(classifyFailure(forbidden)).toEqual({
      reason: 'ApiForbidden',
      message: 'forbidden: serin cannot patch deployments.apps "x" in namespace "team-a"',
      stalled: true,
    });
    const server = new KubeError({ code: 'Server', status: 503, message: 'etcd is down' });
    expect(classifyFailure(server)).toEqual({
      reason: 'ApiServerError',
      message: 'etcd is down (HTTP 503 Server)',
      stalled: false,
    });
    expect(classifyFailure(new TypeError('x is undefined'))).toEqual({
      reason: 'Unexpected',
      message: 'x is undefined',
      stalled: false,
    });
  });

  it('treats a lost lease as fencing, not a failure', () => {
    expect(isFenced(new EffectError('Aborted', 'leadership lost'), undefined)).toBe(true);
    expect(isFenced(new KubeError({ code: 'Aborted', status: 0, message: 'aborted' }), undefined)).toBe(true);
    const fence = new AbortController();
    fence.abort();
    expect(isFenced(new Error('any'), fence.signal)).toBe(true);
    expect(isFenced(new Error('any'), new AbortController().signal)).toBe(false);
  });
});
