import { describe, expect, it } from 'vitest';
import { AuditLog, authorizerVerb } from './audit.ts';

describe('the request audit', () => {
  it('names verbs as kube-apiserver’s authorizer does', () => {
    expect(authorizerVerb('GET', true, false)).toBe('get');
    expect(authorizerVerb('GET', false, false)).toBe('list');
    expect(authorizerVerb('GET', false, true)).toBe('watch');
    expect(authorizerVerb('POST', false, false)).toBe('create');
    expect(authorizerVerb('PUT', true, false)).toBe('update');
    expect(authorizerVerb('PATCH', true, false)).toBe('patch');
    expect(authorizerVerb('DELETE', true, false)).toBe('delete');
    expect(authorizerVerb('DELETE', false, false)).toBe('deletecollection');
  });

  it('authenticates issued tokens, treats no credentials as anonymous and refuses unknown tokens with 401', () => {
    const log = new AuditLog();
    log.addToken('t1', 'alice');
    expect(log.authenticate('Bearer t1')).toBe('alice');
    expect(log.authenticate(undefined)).toBe('system:anonymous');
    expect(() => log.authenticate('Bearer forged')).toThrow(expect.objectContaining({ code: 401 }));
  });

  it('keeps each request’s arrival time beside it, in order, and forgets both on clear', () => {
    const log = new AuditLog();
    const before = Date.now();
    log.recordNonResource('alice', 'GET', '/version');
    log.recordNonResource('bob', 'GET', '/api');
    const timed = log.timed();
    expect(timed.map((t) => t.record)).toEqual(log.entries());
    expect(timed[0]!.at).toBeGreaterThanOrEqual(before);
    expect(timed[1]!.at).toBeGreaterThanOrEqual(timed[0]!.at);
    log.clear();
    expect(log.timed()).toEqual([]);
  });
});
