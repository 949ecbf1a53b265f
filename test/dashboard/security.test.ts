import { describe, expect, it } from 'vitest';
import { checkHost, checkStateChange, newCsrfToken } from '../../src/dashboard/security.ts';

const token = newCsrfToken();
const expected = { token, address: '127.0.0.1', port: 3100 };
const sameOrigin = { host: '127.0.0.1:3100', origin: 'http://127.0.0.1:3100', 'x-serin-csrf': token };

describe('the dashboard’s request checks', () => {
  it('answers only to its own host names (a DNS-rebinding page sends its own name as Host)', () => {
    expect(checkHost({ host: '127.0.0.1:3100' }, '127.0.0.1', 3100)).toBeUndefined();
    expect(checkHost({ host: 'localhost:3100' }, '127.0.0.1', 3100)).toBeUndefined();
    expect(checkHost({ host: 'evil.example:3100' }, '127.0.0.1', 3100)).toMatchObject({ status: 421 });
    expect(checkHost({ host: '127.0.0.1:3101' }, '127.0.0.1', 3100)).toMatchObject({ status: 421 });
    expect(checkHost({}, '127.0.0.1', 3100)).toMatchObject({ status: 421 });
  });

  it('lets a state change through only with the same origin and the session’s token', () => {
    expect(checkStateChange(sameOrigin, expected)).toBeUndefined();
    expect(checkStateChange({ ...sameOrigin, 'sec-fetch-site': 'same-origin' }, expected)).toBeUndefined();
  });

  it('refuses a state change without the token, with another token, or from another origin', () => {
    const { 'x-serin-csrf': _, ...noToken } = sameOrigin;
    expect(checkStateChange(noToken, expected)).toMatchObject({ status: 403, message: /CSRF/ });
    expect(checkStateChange({ ...sameOrigin, 'x-serin-csrf': newCsrfToken() }, expected)).toMatchObject({
      status: 403,
    });
    expect(checkStateChange({ ...sameOrigin, origin: 'http://evil.example' }, expected)).toMatchObject({
      status: 403,
      message: /cross-origin/,
    });
    const { origin: _o, ...noOrigin } = sameOrigin;
    expect(checkStateChange(noOrigin, expected)).toMatchObject({ status: 403 });
    expect(checkStateChange({ ...sameOrigin, 'sec-fetch-site': 'cross-site' }, expected)).toMatchObject({
      status: 403,
    });
  });

  it('makes a new token for each session', () => {
    expect(newCsrfToken()).not.toBe(newCsrfToken());
    expect(newCsrfToken().length).toBeGreaterThanOrEqual(43);
  });
});
