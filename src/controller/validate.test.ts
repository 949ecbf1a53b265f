import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/index.ts';
import type { ReconcileContext, TemplateRead } from './gather.ts';
import { validate } from './validate.ts';

const canary: KubeObject = {
  apiVersion: 'serin.dev/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'api', namespace: 'shop' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
    service: { name: 'api', port: 80 },
    trafficRouting: { istio: { virtualServices: [{ name: 'api', routes: ['primary'] }] } },
    steps: [{ setWeight: 10 }, { analysis: { templates: [{ templateName: 'success-rate' }] } }],
  },
};

function context(templateReads: Map<string, TemplateRead>): ReconcileContext {
  return {
    raw: canary,
    namespace: 'shop',
    name: 'api',
    target: { metadata: { name: 'api' } } as ReconcileContext['target'],
    primary: undefined,
    services: { primary: undefined, canary: undefined },
    virtualServices: [
      {
        ref: { name: 'api' },
        namespace: 'shop',
        object: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'api' } },
      },
    ],
    approvals: [],
    templates: new Map(),
    templateReads,
  };
}

describe('validate: the referenced templates', () => {
  it('passes when every referenced template was read and validated', () => {
    const reads = new Map<string, TemplateRead>([
      ['templateName/success-rate', { kind: 'ok', spec: { metrics: [] } }],
    ]);
    expect(validate(context(reads))).toBeUndefined();
  });

  it('fails closed: a referenced template that was never read counts as not found', () => {
    expect(validate(context(new Map()))).toEqual({
      reason: 'TemplateNotFound',
      field: 'spec.steps',
      message: 'AnalysisTemplate "success-rate" not found',
    });
  });
});
