import { describe, expect, it } from 'vitest';
import { AnalysisTemplateSpec } from '../api/index.ts';
import { checkTemplateSpec } from './template-checks.ts';

function spec(metric: Record<string, unknown>) {
  return AnalysisTemplateSpec.parse({
    args: [{ name: 'service' }],
    metrics: [
      {
        name: 'm',
        interval: '1m',
        provider: { prometheus: { address: 'http://127.0.0.1:9090', query: 'up{job="{{args.service}}"}' } },
        ...metric,
      },
    ],
  });
}

describe('checkTemplateSpec', () => {
  it('finds nothing in a sound template', () => {
    expect(checkTemplateSpec(spec({ successCondition: 'result >= 0.99' }))).toEqual([]);
  });

  it('names the field and the reason for CEL, PromQL and placeholder problems', () => {
    expect(checkTemplateSpec(spec({ successCondition: 'reslt >= 0.99' }))).toEqual([
      { path: 'spec.metrics[0].successCondition', message: expect.stringMatching(/^CEL: .*reslt/) as string },
    ]);
    const query = (q: string) =>
      checkTemplateSpec(
        spec({
          successCondition: 'result > 0',
          provider: { prometheus: { address: 'http://127.0.0.1:9090', query: q } },
        }),
      );
    expect(query('sum(up')).toEqual([
      {
        path: 'spec.metrics[0].provider.prometheus.query',
        message: expect.stringMatching(/^PromQL syntax error at line 1, column \d+/) as string,
      },
    ]);
    expect(query('up{job="{{args.servce}}"}').map((p) => p.message)).toEqual([
      'placeholder {{args.servce}} is not declared in spec.args (nor a built-in canary.* arg)',
    ]);
  });

  it('leaves advice to serin lint: a metric without conditions is no reason to stall a Canary', () => {
    expect(checkTemplateSpec(spec({}))).toEqual([]);
  });
});
