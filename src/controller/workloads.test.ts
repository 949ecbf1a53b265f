import { describe, expect, it } from 'vitest';
import type { Canary } from '../api/index.ts';
import { buildPrimary, buildServices, isDeploymentReady, revisionOf, type Deployment } from './workloads.ts';

const target: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'podinfo', namespace: 'test', labels: { app: 'podinfo', team: 'web' }, generation: 3 },
  spec: {
    replicas: 3,
    strategy: { type: 'RollingUpdate' },
    selector: { matchLabels: { app: 'podinfo' } },
    template: {
      metadata: { labels: { app: 'podinfo', version: 'v1' } },
      spec: { containers: [{ name: 'app', image: 'podinfo:6.0.0' }] },
    },
  },
};

const canary = {
  apiVersion: 'serin.dev/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace: 'test', uid: 'uid-1' },
  spec: { service: { name: 'podinfo', port: 9898, targetPort: 'http' } },
} as unknown as Canary;

describe('workload model', () => {
  it('makes the primary a copy of the target with selector and labels rewritten to <value>-primary', () => {
    const primary = buildPrimary(target, canary);
    expect(primary.metadata.name).toBe('podinfo-primary');
    expect(primary.metadata.labels).toEqual({
      app: 'podinfo-primary',
      team: 'web',
      'app.kubernetes.io/managed-by': 'serin',
      'serin.dev/canary': 'podinfo',
    });
    expect(primary.spec.selector.matchLabels).toEqual({ app: 'podinfo-primary' });
    expect(primary.spec.template.metadata?.labels).toEqual({ app: 'podinfo-primary', version: 'v1' });
    expect(primary.spec.template.spec).toEqual(target.spec.template.spec);
    expect(primary.spec.strategy).toEqual({ type: 'RollingUpdate' });
    expect(primary.spec.replicas).toBe(3);
  });

  it('labels the primary and both Services with the Canary but never makes it their owner', () => {
    const [primaryService, canaryService] = buildServices(canary, target);
    for (const made of [buildPrimary(target, canary), primaryService, canaryService]) {
      // An owner reference would let the garbage collector take the serving pods with the Canary.
      expect(made.metadata.ownerReferences).toBeUndefined();
      expect(made.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'serin',
        'serin.dev/canary': 'podinfo',
      });
    }
  });

  it('points <service>-primary at primary pods and <service>-canary at target pods', () => {
    const [primaryService, canaryService] = buildServices(canary, target);
    expect(primaryService.metadata.name).toBe('podinfo-primary');
    expect(primaryService.spec.selector).toEqual({ app: 'podinfo-primary' });
    expect(canaryService.metadata.name).toBe('podinfo-canary');
    expect(canaryService.spec.selector).toEqual({ app: 'podinfo' });
    expect(canaryService.spec.ports).toEqual([
      { name: 'http', port: 9898, targetPort: 'http', protocol: 'TCP' },
    ]);
  });

  it('derives the revision from the pod template only: replicas and key order do not change it', () => {
    const scaled = { ...target, spec: { ...target.spec, replicas: 0 } };
    expect(revisionOf(scaled)).toBe(revisionOf(target));
    const reordered = structuredClone(target);
    reordered.spec.template = {
      spec: target.spec.template.spec,
      metadata: { labels: { version: 'v1', app: 'podinfo' } },
    };
    expect(revisionOf(reordered)).toBe(revisionOf(target));
    const changed = structuredClone(target);
    (changed.spec.template.spec as { containers: { image: string }[] }).containers[0]!.image =
      'podinfo:6.1.0';
    expect(revisionOf(changed)).not.toBe(revisionOf(target));
  });

  it('calls a Deployment ready only when the latest generation is observed and all replicas are updated and available', () => {
    const status = {
      observedGeneration: 3,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    };
    expect(isDeploymentReady({ ...target, status })).toBe(true);
    expect(isDeploymentReady({ ...target, status: { ...status, observedGeneration: 2 } })).toBe(false);
    expect(isDeploymentReady({ ...target, status: { ...status, updatedReplicas: 2 } })).toBe(false);
    expect(isDeploymentReady({ ...target, status: { ...status, availableReplicas: 1 } })).toBe(false);
    expect(isDeploymentReady({ ...target, spec: { ...target.spec, replicas: 0 }, status })).toBe(false);
  });
});
