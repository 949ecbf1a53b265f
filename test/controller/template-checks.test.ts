import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.ts';
import { NS, startHarness, successRateTemplate, type Harness } from './harness.ts';
import { release, startRollout, status, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The shipped test template with one field replaced, at a path like `successCondition`. */
function templateWith(field: 'successCondition' | 'query', value: string): KubeObject {
  const template = successRateTemplate();
  const metric = (template.spec as { metrics: Record<string, unknown>[] }).metrics[0]!;
  if (field === 'query') (metric.provider as { prometheus: { query: string } }).prometheus.query = value;
  else metric[field] = value;
  return template;
}

async function stalledBy(h: Harness): Promise<Condition | undefined> {
  const conditions = ((await status(h)) as { conditions?: Condition[] }).conditions ?? [];
  return conditions.find((c) => c.reason === 'InvalidTemplate');
}

describe('the controller checks templates as serin lint does', () => {
  it.each([
    [
      'a misspelled CEL identifier',
      'successCondition',
      'reslt >= 0.95',
      'spec.metrics[0].successCondition',
      /CEL/,
    ],
    [
      'a PromQL syntax error',
      'query',
      'sum(rate(x[1m])',
      'spec.metrics[0].provider.prometheus.query',
      /PromQL syntax error/,
    ],
    [
      'an undeclared placeholder',
      'query',
      'success_rate{workload="{{args.wrkload}}"}',
      'spec.metrics[0].provider.prometheus.query',
      /\{\{args\.wrkload\}\} is not declared/,
    ],
  ] as const)(
    '%s stalls the Canary with InvalidTemplate before any traffic moves',
    async (_what, field, value, path, reason) => {
      h = await startHarness({ templates: [templateWith(field, value)] });
      await h.pass();
      const stalled = await stalledBy(h);
      expect(stalled?.message).toContain(`AnalysisTemplate "success-rate" is invalid: ${path}: `);
      expect(stalled?.message).toMatch(reason);
      const events = await h.events();
      expect(events.some((e) => e.reason === 'InvalidTemplate' && e.message.includes(path))).toBe(true);

      // Nothing is touched while the template is refused, a release included: the VirtualService
      // stays as the team wrote it, and no primary is created.
      const routes = await h.vsYaml();
      await release(h, 'podinfo:2.0');
      await h.pass();
      expect(await h.vsYaml()).toBe(routes);
      expect(await h.get('Deployment', 'podinfo-primary')).toBeUndefined();
    },
  );

  it('a template fixed in place lets the Canary go on', async () => {
    h = await startHarness({ templates: [templateWith('successCondition', 'reslt >= 0.95')] });
    await h.pass();
    expect(await stalledBy(h)).toBeDefined();
    await h.client.jsonPatch(
      { apiVersion: 'serin.dev/v1alpha1', kind: 'AnalysisTemplate', namespace: NS, name: 'success-rate' },
      [{ op: 'replace', path: '/spec/metrics/0/successCondition', value: 'result >= 0.95' }],
    );
    await toIdle(h);
    expect(await stalledBy(h)).toBeUndefined();
    await startRollout(h);
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
  });
});
