import { describe, expect, it } from 'vitest';
import { unenforcedRules } from './cel-rules.ts';
import { loadCrdFile, sortVersions } from './crd-loader.ts';
import { defaultCrdFiles } from './server.ts';

describe('CRD loading', () => {
  it("loads serin's CRDs and Istio's VirtualService/DestinationRule with their served versions", () => {
    const types = defaultCrdFiles().flatMap((f) => loadCrdFile(f));
    const vs = types.find((t) => t.kind === 'VirtualService');
    expect(vs).toMatchObject({
      group: 'networking.istio.io',
      plural: 'virtualservices',
      storageVersion: 'v1',
      custom: true,
    });
    expect(vs?.versions).toEqual(['v1', 'v1beta1', 'v1alpha3']);
    const canary = types.find((t) => t.kind === 'Canary');
    expect(canary).toMatchObject({ group: 'serin.dev', statusSubresource: true, namespaced: true });
    expect(types.map((t) => t.kind)).toEqual(
      expect.arrayContaining(['AnalysisTemplate', 'ClusterAnalysisTemplate', 'Approval', 'DestinationRule']),
    );
  });

  it('parses every x-kubernetes-validations rule of the loaded CRDs with cel-js (none left unenforced)', () => {
    defaultCrdFiles().forEach((f) => loadCrdFile(f));
    expect(unenforcedRules()).toEqual([]);
  });

  it('orders versions as Kubernetes does: GA, then beta, then alpha, newest first', () => {
    expect(sortVersions(['v1alpha3', 'v1beta1', 'v1', 'v2beta1', 'v2'])).toEqual([
      'v2',
      'v1',
      'v2beta1',
      'v1beta1',
      'v1alpha3',
    ]);
  });
});
