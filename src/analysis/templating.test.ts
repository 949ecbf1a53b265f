import { describe, expect, it } from 'vitest';
import { BUILTIN_ARGS, findPlaceholders, renderTemplate } from './templating.ts';

describe('findPlaceholders', () => {
  it('finds args and built-in placeholders with their offsets, trimming spaces', () => {
    expect(findPlaceholders('a{{args.svc}} b {{ canary.name }}')).toEqual([
      { name: 'args.svc', index: 1 },
      { name: 'canary.name', index: 16 },
    ]);
  });

  it('returns nothing for text without placeholders', () => {
    expect(findPlaceholders('sum(rate(x[5m]))')).toEqual([]);
  });
});

describe('renderTemplate', () => {
  it('replaces args and built-in placeholders with their values', () => {
    const out = renderTemplate('x{service="{{args.svc}}",ns="{{ canary.namespace }}"}', {
      'args.svc': 'api',
      'canary.namespace': 'shop',
    });
    expect(out).toEqual({ ok: true, value: 'x{service="api",ns="shop"}' });
  });

  it('fails on an unknown argument instead of rendering an empty string', () => {
    const out = renderTemplate('x{service="{{args.missing}}"}', { 'args.svc': 'api' });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error).toContain('"missing"');
  });

  it('fails on an unknown built-in and lists the built-ins', () => {
    const out = renderTemplate('{{canary.cluster}}', {});
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error).toContain('canary.primaryWorkload');
  });

  it('fails on a malformed placeholder', () => {
    const out = renderTemplate('{{ args.a b }}', { 'args.a': 'x' });
    expect(out.ok).toBe(false);
  });

  it.each([
    ['a double quote', 'api"} or vector(1) #'],
    ['a backslash', 'api\\'],
    ['a newline', 'api\nfoo'],
    ['a carriage return', 'api\rfoo'],
  ])('rejects a value containing %s, naming the argument (PromQL injection guard)', (_what, value) => {
    const out = renderTemplate('x{service="{{args.svc}}"}', { 'args.svc': value });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error).toContain('args.svc');
  });

  it('accepts regular-expression metacharacters in values', () => {
    const out = renderTemplate('x{code=~"{{args.codes}}"}', { 'args.codes': '5..|429' });
    expect(out).toEqual({ ok: true, value: 'x{code=~"5..|429"}' });
  });

  it('declares the six built-in canary args', () => {
    expect(BUILTIN_ARGS).toEqual([
      'canary.name',
      'canary.namespace',
      'canary.workload',
      'canary.primaryWorkload',
      'canary.service',
      'canary.revision',
    ]);
  });
});
