import { describe, expect, it } from 'vitest';
import { importObjects as importInputs, type ImportOptions, type ImportResult } from './convert.ts';
import { toSerinDuration } from './durations.ts';
import { queryShape } from './query-shape.ts';

/** Imports plain objects, as the CLI does after parsing. */
function importObjects(objects: unknown[], options?: ImportOptions): ImportResult {
  return importInputs(
    objects.map((content) => ({ content })),
    options,
  );
}

const ARGO = 'argoproj.io/v1alpha1';
const FLAGGER = 'flagger.app/v1beta1';

function template(metric: Record<string, unknown>, args: unknown[] = []): unknown {
  return {
    apiVersion: ARGO,
    kind: 'AnalysisTemplate',
    metadata: { name: 't' },
    spec: {
      args,
      metrics: [
        { name: 'm', provider: { prometheus: { address: 'http://p:9090', query: 'sum(up)' } }, ...metric },
      ],
    },
  };
}

function firstObject(result: ImportResult): Record<string, unknown> {
  const object = result.objects[0]?.content;
  if (object === undefined) throw new Error(JSON.stringify(result.reports));
  return object;
}

function metricOf(result: ImportResult): Record<string, unknown> {
  return (firstObject(result).spec as { metrics: Record<string, unknown>[] }).metrics[0] ?? {};
}

function items(result: ImportResult): string[] {
  return result.reports.flatMap((r) => r.items.map((i) => `${i.outcome} ${i.path}: ${i.message}`));
}

function flaggerCanary(analysis: Record<string, unknown>): unknown {
  return {
    apiVersion: FLAGGER,
    kind: 'Canary',
    metadata: { name: 'web', namespace: 'ns' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      service: { port: 80 },
      analysis,
    },
  };
}

describe('mapping rules', () => {
  it('durations: Go durations and whole seconds become serin durations; sub-millisecond ones do not', () => {
    expect([
      toSerinDuration('5m'),
      toSerinDuration(300),
      toSerinDuration('1.5h'),
      toSerinDuration('90s'),
      toSerinDuration('1m30s'),
    ]).toEqual(['5m', '5m', '1h30m', '90s', '1m30s']);
    expect(toSerinDuration('10us')).toBeUndefined();
    expect(toSerinDuration('soon')).toBeUndefined();
  });

  it('query shape: an aggregation without grouping is one series, grouping or a bare selector is many', () => {
    expect(queryShape('sum(rate(a[1m])) / sum(rate(b[1m]))')).toBe('single');
    expect(queryShape('histogram_quantile(0.99, sum by (le) (rate(b[1m])))')).toBe('single');
    expect(queryShape('sum by (pod) (a)')).toBe('many');
    expect(queryShape('topk(1, a)')).toBe('many');
    expect(queryShape('scalar(sum(a))')).toBe('scalar');
  });

  it('placeholders: {{ args.x }} becomes {{args.x}}', () => {
    const result = importObjects([
      template(
        {
          successCondition: 'result[0] > 0',
          provider: { prometheus: { address: 'http://p', query: 'sum(up{job="{{ args.job }}"})' } },
        },
        [{ name: 'job' }],
      ),
    ]);
    expect((metricOf(result).provider as { prometheus: { query: string } }).prometheus.query).toBe(
      'sum(up{job="{{args.job}}"})',
    );
  });

  it('a condition {{args.x}} is written in place from the arg default, and reported as changed', () => {
    const result = importObjects([
      template({ successCondition: 'result[0] >= {{args.min}}' }, [{ name: 'min', value: '0.9' }]),
    ]);
    expect(metricOf(result).successCondition).toBe('result >= 0.9');
    expect(items(result)).toContainEqual(
      expect.stringMatching(
        /^changed spec.metrics\[0\].successCondition: .*arg default min=0.9 written in place/,
      ),
    );
  });

  it('a metric without conditions passes every measurement with data (successCondition "true"), reported as changed', () => {
    const result = importObjects([template({})]);
    expect(metricOf(result).successCondition).toBe('true');
    expect(result.reports[0]?.outcome).toBe('lossy');
  });

  it('a prometheus metric without address takes --prometheus-address, or is dropped with the reason', () => {
    const bare = template({
      successCondition: 'result[0] > 0',
      provider: { prometheus: { query: 'sum(up)' } },
    });
    expect(importObjects([bare]).reports[0]?.outcome).toBe('not-converted');
    const filled = importObjects([bare], { prometheusAddress: 'http://prom:9090' });
    expect((metricOf(filled).provider as { prometheus: { address: string } }).prometheus.address).toBe(
      'http://prom:9090',
    );
  });

  it('timeout in seconds becomes a duration; headers key becomes name', () => {
    const result = importObjects([
      template({
        successCondition: 'result[0] > 0',
        provider: {
          prometheus: {
            address: 'http://p',
            query: 'sum(up)',
            timeout: 40,
            headers: [{ key: 'X-Org', value: 'a' }],
          },
        },
      }),
    ]);
    expect((metricOf(result).provider as { prometheus: unknown }).prometheus).toMatchObject({
      timeout: '40s',
      headers: [{ name: 'X-Org', value: 'a' }],
    });
  });

  it('a Rollout with blueGreen is not converted, with the reason', () => {
    const result = importObjects([
      { apiVersion: ARGO, kind: 'Rollout', metadata: { name: 'r' }, spec: { strategy: { blueGreen: {} } } },
    ]);
    expect(result.reports[0]?.outcome).toBe('not-converted');
    expect(items(result)).toContain(
      'dropped : not converted: only strategy.canary converts (serin has no blue-green)',
    );
  });

  it('Flagger stepWeight up to maxWeight becomes setWeight and analysis steps, capped at maxWeight', () => {
    const result = importObjects(
      [
        flaggerCanary({
          interval: '1m',
          threshold: 2,
          stepWeight: 20,
          maxWeight: 50,
          metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }],
        }),
      ],
      {
        shippedTemplates: [
          {
            metadata: { name: 'istio-success-rate' },
            spec: {
              metrics: [
                {
                  provider: {
                    prometheus: {
                      address: 'http://p',
                      query: 'sum(x{ns="{{args.namespace}}"}[{{args.window}}])',
                    },
                  },
                },
              ],
            },
          },
        ],
      },
    );
    const steps = (firstObject(result).spec as { steps: unknown[] }).steps;
    const analysis = { analysis: { templates: [{ templateName: 'web-analysis' }] } };
    expect(steps).toEqual([
      { setWeight: 20 },
      analysis,
      { setWeight: 40 },
      analysis,
      { setWeight: 50 },
      analysis,
    ]);
    const template = result.objects[1]?.content as { spec: { metrics: Record<string, unknown>[] } };
    expect(template.spec.metrics[0]).toMatchObject({
      interval: '1m',
      initialDelay: '1m',
      consecutiveSuccessLimit: 1,
      failureLimit: 1,
      successCondition: 'result >= 0.99',
      noData: 'Failed',
    });
    expect(JSON.stringify(template.spec.metrics[0])).toContain('sum(x{ns=\\"{{canary.namespace}}\\"}[1m])');
  });

  it('Flagger iterations (blue/green) become one analysis step whose metrics count the iterations', () => {
    const result = importObjects([
      flaggerCanary({
        interval: '30s',
        threshold: 3,
        iterations: 10,
        metrics: [{ name: 'errors', templateRef: { name: 'errors' }, thresholdRange: { max: 1 } }],
      }),
      {
        apiVersion: FLAGGER,
        kind: 'MetricTemplate',
        metadata: { name: 'errors', namespace: 'ns' },
        spec: {
          provider: { type: 'prometheus', address: 'http://p' },
          query: 'sum(rate(e{ns="{{ namespace }}",w="{{ target }}"}[{{ interval }}]))',
        },
      },
    ]);
    expect((firstObject(result).spec as { steps: unknown[] }).steps).toEqual([
      { analysis: { templates: [{ templateName: 'web-analysis' }] } },
    ]);
    const metric = (result.objects[1]?.content as { spec: { metrics: Record<string, unknown>[] } }).spec
      .metrics[0];
    expect(metric).toMatchObject({
      count: 10,
      failureLimit: 2,
      successCondition: 'result <= 1.0',
      provider: {
        prometheus: { query: 'sum(rate(e{ns="{{canary.namespace}}",w="{{canary.workload}}"}[1m]))' },
      },
    });
    expect(result.reports[1]?.outcome).toBe('converted');
  });

  it('a MetricTemplate no Canary uses is not converted: it has no threshold', () => {
    const result = importObjects([
      { apiVersion: FLAGGER, kind: 'MetricTemplate', metadata: { name: 'x' }, spec: { query: 'sum(up)' } },
    ]);
    expect(result.reports[0]?.outcome).toBe('not-converted');
  });

  it('an unknown field is reported as dropped, never lost silently', () => {
    const result = importObjects([template({ successCondition: 'result[0] > 0', someNewField: 1 })]);
    expect(items(result)).toContain(
      'dropped spec.metrics[0].someNewField: not a field the importer knows; serin has no equivalent',
    );
  });
});
