import { describe, expect, it } from 'vitest';
import { metric } from '../../test/analysis/helpers.ts';
import type { AnalysisTemplateSpec, Canary } from '../api/index.ts';
import type { SecretReader } from '../ports/index.ts';
import { builtinArgsFor, resolveArgs } from './args.ts';

const spec = (args: AnalysisTemplateSpec['args']): AnalysisTemplateSpec => ({ args, metrics: [metric()] });
const secrets: SecretReader = {
  read: (ref) =>
    Promise.resolve(
      ref.name === 'creds' && ref.namespace === 'shop'
        ? { ok: true, value: 'tok' }
        : { ok: false, error: 'not found' },
    ),
};

describe('resolveArgs', () => {
  it('lets a supplied value override the template default', async () => {
    const out = await resolveArgs({
      templates: [spec([{ name: 'window', value: '5m' }])],
      supplied: [{ name: 'window', value: '1m' }],
    });
    expect(out).toEqual({ ok: true, args: { values: { 'args.window': '1m' }, secrets: [] } });
  });

  it('uses the template default when nothing is supplied', async () => {
    const out = await resolveArgs({ templates: [spec([{ name: 'window', value: '5m' }])] });
    expect(out.ok && out.args.values['args.window']).toBe('5m');
  });

  it('fails on a declared argument without a value', async () => {
    const out = await resolveArgs({ templates: [spec([{ name: 'service' }])] });
    expect(out).toEqual({
      ok: false,
      error: 'argument "service" has no value: pass it from the Canary (or with --arg service=...)',
    });
  });

  it('reads a Secret-backed argument in the given namespace and marks it secret', async () => {
    const out = await resolveArgs({
      templates: [spec([{ name: 'token', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }])],
      secrets,
      namespace: 'shop',
    });
    expect(out).toEqual({ ok: true, args: { values: { 'args.token': 'tok' }, secrets: ['tok'] } });
  });

  it('fails when a Secret-backed argument cannot be read', async () => {
    const out = await resolveArgs({
      templates: [spec([{ name: 'token', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }])],
      secrets,
      namespace: 'shop',
    });
    expect(out.ok).toBe(false);
  });

  it('fails when two templates give one argument different defaults', async () => {
    const out = await resolveArgs({
      templates: [spec([{ name: 'w', value: '1m' }]), spec([{ name: 'w', value: '5m' }])],
    });
    expect(out.ok).toBe(false);
  });

  it('adds the built-in canary args', async () => {
    const canary = {
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api-deploy' },
        service: { name: 'api-svc', port: 80 },
      },
    } as unknown as Canary;
    const out = await resolveArgs({ templates: [spec([])], builtins: builtinArgsFor(canary, 'rev-7') });
    expect(out.ok && out.args.values).toEqual({
      'canary.name': 'api',
      'canary.namespace': 'shop',
      'canary.workload': 'api-deploy',
      'canary.primaryWorkload': 'api-deploy-primary',
      'canary.service': 'api-svc',
      'canary.revision': 'rev-7',
    });
  });
});
