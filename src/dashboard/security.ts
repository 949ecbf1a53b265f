import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CSRF_HEADER } from './api-types.ts';

/** Why a request was refused before it reached the API, or undefined when it may go on. */
export type Refusal = { readonly status: 403 | 421; readonly message: string } | undefined;

/** A new CSRF token: 32 random bytes, for one dashboard session (one `serin dashboard` process). */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The host names a loopback dashboard answers to: a page from any other name is a DNS-rebinding attempt. */
function allowedHosts(address: string, port: number): Set<string> {
  const names = new Set([address, '127.0.0.1', 'localhost', '[::1]']);
  if (address.includes(':') && !address.startsWith('[')) names.add(`[${address}]`);
  return new Set([...names].map((name) => `${name}:${port}`));
}

/**
 * Every request: the Host header must name the dashboard itself. A page on another site that
 * rebinds its own name to 127.0.0.1 sends its own name as Host, and is refused (421).
 */
export function checkHost(headers: IncomingHttpHeaders, address: string, port: number): Refusal {
  const host = headers.host ?? '';
  if (allowedHosts(address, port).has(host.toLowerCase())) return undefined;
  return { status: 421, message: `this dashboard answers to ${address}:${port} only, not to Host "${host}"` };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A state-changing request: same origin (the Origin header names this dashboard, and a browser's
 * Sec-Fetch-Site, when sent, says same-origin) and the session's CSRF token in its header.
 */
export function checkStateChange(
  headers: IncomingHttpHeaders,
  expected: { readonly token: string; readonly address: string; readonly port: number },
): Refusal {
  const origin = headers.origin;
  const allowed = [...allowedHosts(expected.address, expected.port)].map((host) => `http://${host}`);
  if (origin === undefined || !allowed.includes(origin.toLowerCase())) {
    return { status: 403, message: `cross-origin request refused (Origin: ${origin ?? 'none'})` };
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') {
    return { status: 403, message: `cross-site request refused (Sec-Fetch-Site: ${site})` };
  }
  const token = headers[CSRF_HEADER];
  if (typeof token !== 'string' || !sameToken(token, expected.token)) {
    return { status: 403, message: 'missing or wrong CSRF token: reload the dashboard page' };
  }
  return undefined;
}

/** Headers for every answer: nothing from elsewhere, no framing, no caching, no referrer. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
