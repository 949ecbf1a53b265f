import { describe, expect, it } from 'vitest';
import { KubeApiError } from './status.ts';
import { matchesLabels, parseFieldSelector, parseLabelSelector, selectorFor } from './selectors.ts';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'example.com/team': 'a' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['tier in (front,back)', true],
    ['tier notin (front)', false],
    ['missing notin (x)', true],
    ['example.com/team', true],
    ['!example.com/team', false],
    ['app=web,tier in (back)', false],
    ['', true],
  ])('%s matches %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it('refuses malformed selectors with a 400 Status', () => {
    expect(() => parseLabelSelector('app in (a')).toThrow(KubeApiError);
    expect(() => parseLabelSelector('bad key=1')).toThrow(KubeApiError);
  });
});

describe('field selectors', () => {
  it('supports metadata.name and metadata.namespace with = and !=', () => {
    const sel = selectorFor([], parseFieldSelector('metadata.name=a,metadata.namespace!=kube-system', []));
    expect(sel({ metadata: { name: 'a', namespace: 'default' } })).toBe(true);
    expect(sel({ metadata: { name: 'a', namespace: 'kube-system' } })).toBe(false);
    expect(sel({ metadata: { name: 'b', namespace: 'default' } })).toBe(false);
  });

  it('supports a type’s selectable fields and refuses others', () => {
    const sel = selectorFor([], parseFieldSelector('involvedObject.name=c', ['involvedObject.name']));
    expect(sel({ metadata: {}, involvedObject: { name: 'c' } })).toBe(true);
    expect(() => parseFieldSelector('spec.x=1', [])).toThrow('field label not supported: spec.x');
  });
});
