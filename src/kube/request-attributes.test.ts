import { describe, expect, it } from 'vitest';
import { describeRequest, requestAttributes } from './request-attributes.ts';

describe('request attributes', () => {
  it('reads the verb and resource RBAC decides on from the method and path', () => {
    expect(requestAttributes('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/podinfo-primary')).toEqual(
      {
        verb: 'patch',
        group: 'apps',
        resource: 'deployments',
        namespace: 'team-a',
        name: 'podinfo-primary',
      },
    );
    expect(requestAttributes('GET', '/api/v1/namespaces/a/configmaps')).toEqual({
      verb: 'list',
      group: '',
      resource: 'configmaps',
      namespace: 'a',
    });
    expect(requestAttributes('GET', '/api/v1/namespaces/a/pods', { watch: 'true' })?.verb).toBe('watch');
    expect(requestAttributes('GET', '/api/v1/namespaces/a')).toEqual({
      verb: 'get',
      group: '',
      resource: 'namespaces',
      name: 'a',
    });
    expect(
      requestAttributes('PATCH', '/apis/serin.dev/v1alpha1/namespaces/a/canaries/c/status'),
    ).toMatchObject({ resource: 'canaries', name: 'c', subresource: 'status' });
    expect(requestAttributes('GET', '/apis/serin.dev/v1alpha1/clusteranalysistemplates/t')).toEqual({
      verb: 'get',
      group: 'serin.dev',
      resource: 'clusteranalysistemplates',
      name: 't',
    });
    expect(requestAttributes('GET', '/version')).toBeUndefined();
    expect(requestAttributes('GET', '/apis/apps/v1')).toBeUndefined();
  });

  it('says a request the way kubectl auth can-i reads it', () => {
    expect(
      describeRequest({ verb: 'create', group: 'apps', resource: 'deployments', namespace: 'team-a' }),
    ).toBe('create deployments.apps in namespace "team-a"');
    expect(
      describeRequest({
        verb: 'patch',
        group: 'serin.dev',
        resource: 'canaries',
        subresource: 'status',
        name: 'c',
      }),
    ).toBe('patch canaries.serin.dev/status "c"');
  });
});
