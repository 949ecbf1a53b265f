import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WebProvider } from '../api/index.ts';
import { renderWebRequest, webTemplateProblems } from './web-request.ts';

const web = (spec: Record<string, unknown>): WebProvider =>
  WebProvider.parse({ jsonPath: '$.value', ...spec });

const render = (spec: Record<string, unknown>, values: Record<string, string>) =>
  renderWebRequest(web(spec), values);

describe('web request: {{args}} in the URL', () => {
  it('percent-encodes values, so /, ?, #, @, : and & stay inside their part', () => {
    const rendered = render(
      { url: 'http://checker.test:8080/api/{{args.service}}/health?window={{args.window}}' },
      { 'args.service': 'shop/../admin?x=1#top@evil.test:9', 'args.window': '5m&debug=true' },
    );
    expect(rendered).toMatchObject({
      ok: true,
      request: {
        url:
          'http://checker.test:8080/api/shop%2F..%2Fadmin%3Fx%3D1%23top%40evil.test%3A9/health' +
          '?window=5m%26debug%3Dtrue',
      },
    });
  });

  it.each(['..', '.'])('refuses a value that is the path step "%s"', (value) => {
    const rendered = render(
      { url: 'http://checker.test/api/{{args.service}}/health' },
      { 'args.service': value },
    );
    expect(rendered).toEqual({
      ok: false,
      field: 'url',
      error: `argument "args.service" is "${value}", a path step that would change the URL's path; such values are rejected`,
    });
  });

  it('lets a placeholder name the host, but never add a port or a path to it', () => {
    const url = 'http://{{canary.service}}-canary.{{canary.namespace}}:9898/api';
    expect(render({ url }, { 'canary.service': 'podinfo', 'canary.namespace': 'shop' })).toMatchObject({
      ok: true,
      request: { url: 'http://podinfo-canary.shop:9898/api' },
    });
    expect(render({ url }, { 'canary.service': 'evil.test:1/x', 'canary.namespace': 'shop' })).toMatchObject({
      ok: false,
      field: 'url',
    });
  });

  it('refuses a placeholder in the scheme and credentials in the URL', () => {
    expect(render({ url: 'http://{{args.user}}@checker.test/' }, { 'args.user': 'x' })).toMatchObject({
      ok: false,
      field: 'url',
      error: expect.stringContaining('must not hold credentials') as unknown,
    });
    expect(webTemplateProblems(web({ url: 'http://user:pw@checker.test/' }))).toEqual([
      ['url', 'must not hold credentials (user:password@): send them in a header read from a Secret'],
    ]);
  });

  it('is an error naming the argument when a placeholder has no value', () => {
    expect(render({ url: 'http://checker.test/{{args.missing}}' }, {})).toEqual({
      ok: false,
      field: 'url',
      error: 'unknown placeholder "{{args.missing}}": no value for argument "missing"',
    });
  });
});

describe('web request: {{args}} in the body', () => {
  const body = '{"service": "{{args.service}}", "checks": ["{{canary.revision}}"]}';

  it('JSON-encodes values, so a quote cannot add a member', () => {
    const injected = 'shop", "admin": true, "x": "';
    const rendered = render(
      { method: 'POST', url: 'http://checker.test/run', body },
      {
        'args.service': injected,
        'canary.revision': 'line\nbreak\\',
      },
    );
    expect(rendered.ok).toBe(true);
    const sent = JSON.parse(rendered.ok ? (rendered.request.body ?? '') : '') as Record<string, unknown>;
    expect(sent).toEqual({ service: injected, checks: ['line\nbreak\\'] });
  });

  it('refuses a placeholder outside a JSON string, where a value could add structure', () => {
    const problem =
      'placeholder {{args.count}} must sit inside a JSON string ("..."), where its value is JSON-encoded';
    const spec = { method: 'POST', url: 'http://checker.test/run', body: '{"count": {{args.count}}}' };
    expect(render(spec, { 'args.count': '1, "admin": true' })).toEqual({
      ok: false,
      field: 'body',
      error: problem,
    });
    expect(webTemplateProblems(web(spec))).toEqual([['body', problem]]);
  });

  it('refuses a body that is not JSON', () => {
    expect(
      webTemplateProblems(web({ method: 'POST', url: 'http://checker.test/', body: 'service=x' })),
    ).toEqual([['body', expect.stringMatching(/^is not JSON: /) as unknown]]);
  });
});

describe('web request: {{args}} in headers', () => {
  it('refuses a value with a newline, which could add a header', () => {
    const spec = { url: 'http://checker.test/', headers: [{ name: 'X-Team', value: '{{args.team}}' }] };
    expect(render(spec, { 'args.team': 'a\r\nX-Admin: 1' })).toEqual({
      ok: false,
      field: 'headers[0].value',
      error:
        'argument "args.team" contains a newline or NUL, which could add a header; such values are rejected',
    });
    expect(render(spec, { 'args.team': 'payments' })).toMatchObject({
      ok: true,
      request: { headers: [{ name: 'X-Team', value: 'payments' }] },
    });
  });

  it('refuses a value an HTTP header cannot carry, rather than failing to send', () => {
    const spec = { url: 'http://checker.test/', headers: [{ name: 'X-Team', value: 'team-{{args.team}}' }] };
    expect(render(spec, { 'args.team': 'ünïcode-😀' })).toEqual({
      ok: false,
      field: 'headers[0].value',
      error:
        'argument "args.team" holds a character an HTTP header cannot carry (a control character or one beyond Latin-1)',
    });
  });

  it('passes a Secret-backed header on as its reference, unread', () => {
    const spec = {
      url: 'http://checker.test/',
      headers: [{ name: 'Authorization', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } }],
    };
    expect(render(spec, {})).toMatchObject({
      ok: true,
      request: {
        headers: [{ name: 'Authorization', secretKeyRef: { name: 'api', key: 'token' } }],
        timeoutMs: 10_000,
      },
    });
  });
});

describe('web request: no argument value changes the request (property)', () => {
  const RUNS = 300;
  // Strings rich in URL and JSON structure characters, and any unicode.
  const hostile = fc.oneof(
    fc.string({ unit: fc.constantFrom(...'/?#@:&=%.\\"\' {}[],\n\r\t'.split(''), 'a', '1', 'é') }),
    fc.string({ unit: 'grapheme' }),
  );

  it('a URL value reaches the server as exactly that value, in the same place, or is refused', () => {
    const spec = web({ url: 'http://checker.test:8080/api/{{args.x}}/health?window={{args.x}}&suite=smoke' });
    fc.assert(
      fc.property(hostile, (value) => {
        const rendered = renderWebRequest(spec, { 'args.x': value });
        if (!rendered.ok) return;
        const url = new URL(rendered.request.url);
        expect(url.origin).toBe('http://checker.test:8080');
        const segments = url.pathname.split('/');
        expect(segments).toHaveLength(4);
        expect(decodeURIComponent(segments[2] ?? '')).toBe(value);
        expect([...url.searchParams.keys()]).toEqual(['window', 'suite']);
        expect(url.searchParams.get('window')).toBe(value);
      }),
      { numRuns: RUNS },
    );
  });

  it('a body value is exactly the JSON string it sits in', () => {
    const spec = web({ method: 'POST', url: 'http://checker.test/', body: '{"a": "x-{{args.x}}", "b": 1}' });
    fc.assert(
      fc.property(hostile, (value) => {
        const rendered = renderWebRequest(spec, { 'args.x': value });
        expect(rendered.ok).toBe(true);
        const body = JSON.parse(rendered.ok ? (rendered.request.body ?? '') : '') as unknown;
        expect(body).toEqual({ a: `x-${value}`, b: 1 });
      }),
      { numRuns: RUNS },
    );
  });
});
