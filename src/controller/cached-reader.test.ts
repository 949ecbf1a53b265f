import { describe, expect, it } from 'vitest';
import { atLeast } from './cached-reader.ts';
import { slimDeployment } from './caches.ts';

describe('atLeast (has the cache caught up with a written resourceVersion)', () => {
  it('is true for the same version and for a later numeric one', () => {
    expect(atLeast('42', '42')).toBe(true);
    expect(atLeast('43', '42')).toBe(true);
    expect(atLeast('100', '99')).toBe(true);
  });

  it('is false for an earlier version, a missing one, or versions that do not compare', () => {
    expect(atLeast('41', '42')).toBe(false);
    expect(atLeast('99', '100')).toBe(false);
    expect(atLeast(undefined, '42')).toBe(false);
    expect(atLeast('b', 'a')).toBe(false);
    expect(atLeast('43', 'x42')).toBe(false);
  });
});

describe('slimDeployment (a Deployment as cached)', () => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'podinfo',
      managedFields: [{ manager: 'kubectl' }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}' },
    },
    spec: { template: { metadata: { annotations: { keep: 'me' } }, spec: { containers: [] } } },
  };

  it('drops managedFields and the last-applied copy, and keeps the pod template', () => {
    const slim = slimDeployment(deployment);
    expect('managedFields' in slim.metadata).toBe(false);
    // An empty map, not none: a JSON patch then adds serin's annotations key by key.
    expect(slim.metadata.annotations).toEqual({});
    expect(slim.spec).toEqual(deployment.spec);
    expect(deployment.metadata.managedFields).toHaveLength(1);
  });

  it("keeps other annotations (serin's revisions)", () => {
    const slim = slimDeployment({
      ...deployment,
      metadata: { ...deployment.metadata, annotations: { 'serin.dev/revision': 'abc' } },
    });
    expect(slim.metadata.annotations).toEqual({ 'serin.dev/revision': 'abc' });
  });
});
