import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../main.ts';

const FIXTURES = 'test/fixtures/invalid';

describe('serin lint', () => {
  it('passes every shipped template in analysis-templates/', async () => {
    const run = await runCliCaptured(['lint', 'analysis-templates/']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^6 document\(s\) in 6 file\(s\): all valid\n$/);
    expect(run.code).toBe(0);
  });

  it.each([
    [
      'step-with-two-actions',
      '12 [document 1] Canary/podinfo spec.steps[0]: must set exactly one of setWeight, pause, analysis',
    ],
    [
      'weight-out-of-range',
      '12 [document 1] Canary/podinfo spec.steps[0].setWeight: Too big: expected number to be <=100',
    ],
    [
      'malformed-duration',
      '12 [document 1] Canary/podinfo spec.steps[0].pause.duration: must be a duration such as 30s, 5m or 1h30m',
    ],
    [
      'two-providers',
      '13 [document 1] AnalysisTemplate/success-rate spec.metrics[0].provider: must set exactly one of prometheus, judge, web',
    ],
    [
      'unknown-kind',
      '2 [document 1] Rollout/podinfo kind: must be one of Canary, AnalysisTemplate, ClusterAnalysisTemplate, Approval (got "Rollout")',
    ],
    [
      'approval-unknown-action',
      '7 [document 1] Approval/podinfo- spec.action: Invalid option: expected one of "Promote"|"PromoteFull"|"Abort"|"Retry"|"Pause"|"Resume"',
    ],
    [
      'yaml-syntax-error',
      '6 [document 1] YAML: Flow map in block collection must be sufficiently indented and end with a }',
    ],
    [
      'promql-syntax-error',
      '15 [document 1] AnalysisTemplate/success-rate spec.metrics[0].provider.prometheus.query: PromQL syntax error at line 2, column 38: unexpected input near "by"',
    ],
    [
      'judge-comparison-promql-error',
      '21 [document 1] AnalysisTemplate/vs-primary spec.metrics[0].provider.judge.comparisons[1].canaryQuery: PromQL syntax error at line 1, column 53: unexpected end of query',
    ],
    [
      'judge-scored-with-condition',
      '12 [document 1] AnalysisTemplate/vs-primary spec.metrics[0].successCondition: not allowed with provider.judge.comparisons: their score is judged by provider.judge.scoring (pass, marginal)',
    ],
    [
      'cel-syntax-error',
      '11 [document 1] AnalysisTemplate/success-rate spec.metrics[0].successCondition: CEL: Unexpected token: EOF',
    ],
    [
      'cel-type-error',
      '11 [document 1] AnalysisTemplate/success-rate spec.metrics[0].successCondition: CEL: no such overload: double >= string',
    ],
    [
      'undeclared-placeholder',
      '15 [document 1] AnalysisTemplate/success-rate spec.metrics[0].provider.prometheus.query: placeholder {{args.namespace}} is not declared in spec.args (nor a built-in canary.* arg)',
    ],
    [
      'unknown-template-reference',
      '14 [document 1] Canary/podinfo spec.steps[1].analysis.templates[0].templateName: AnalysisTemplate "does-not-exist" is not defined in the linted files',
    ],
    [
      'duplicate-template-reference',
      '29 [document 2] Canary/podinfo spec.steps[0].analysis.templates[1].templateName: duplicate template reference "success-rate"',
    ],
    [
      'missing-required-arg',
      '29 [document 2] Canary/podinfo spec.steps[0].analysis.args: missing value for arg "workload" required by the referenced template(s)',
    ],
  ])('reports %s with file, line, document, field and reason', async (name, message) => {
    const file = `${FIXTURES}/${name}.yaml`;
    const run = await runCliCaptured(['lint', file]);
    expect(run.stdout.split('\n').filter((line) => line.startsWith(file))).toEqual([`${file}:${message}`]);
    expect(run.code).toBe(1);
  });

  it('lists every problem of a directory at once, as JSON on request', async () => {
    const run = await runCliCaptured(['lint', FIXTURES, '--output', 'json']);
    const report = JSON.parse(run.stdout) as { files: string[]; problems: { file: string }[] };
    expect(new Set(report.problems.map((p) => p.file))).toEqual(new Set(report.files));
    expect(run.code).toBe(1);
  });

  it('skips documents of other API groups and resolves template references across directories', async () => {
    const run = await runCliCaptured(['lint', 'docs/examples', 'analysis-templates']);
    expect(run.stdout).toBe('8 document(s) in 9 file(s): all valid\n');
    expect(run.code).toBe(0);
  });

  it('still rejects a serin document with the wrong version', async () => {
    const run = await runCliCaptured(['lint', 'test/fixtures/invalid/wrong-version.yaml']);
    expect(run.stdout).toMatch(/apiVersion: must be "serin.dev\/v1alpha1" \(got "serin.dev\/v1"\)/);
    expect(run.code).toBe(1);
  });

  it('exits 2 with a message when a path does not exist', async () => {
    const run = await runCliCaptured(['lint', 'no/such/file.yaml']);
    expect(run.stderr).toBe('serin lint: no/such/file.yaml: no such file or directory\n');
    expect(run.code).toBe(2);
  });

  it('exits 2 on an unknown flag', async () => {
    const run = await runCliCaptured(['lint', '--bogus', 'analysis-templates']);
    expect(run.stderr).toMatch(/unknown option '--bogus'/);
    expect(run.code).toBe(2);
  });
});

describe('serin lint: webhook gates', () => {
  const WEBHOOKS = 'test/fixtures/webhooks/lint';
  it.each([
    [
      'url-not-http',
      '14 [document 1] Canary/podinfo spec.webhooks[0].url: must be an absolute http:// or https:// URL',
    ],
    [
      'unknown-type',
      '14 [document 1] Canary/podinfo spec.webhooks[0].type: Invalid option: expected one of "confirm-rollout"|"pre-rollout"|"rollout"|"confirm-promotion"|"post-rollout"|"rollback"',
    ],
    [
      'timeout-malformed',
      '14 [document 1] Canary/podinfo spec.webhooks[0].timeout: must be a duration such as 30s, 5m or 1h30m',
    ],
    [
      'timeout-too-long',
      '14 [document 1] Canary/podinfo spec.webhooks[0].timeout: must be more than 0 and at most 5m',
    ],
    ['duplicate-name', '15 [document 1] Canary/podinfo spec.webhooks[1].name: duplicate webhook name smoke'],
    [
      'skipped-by-skip-analysis',
      '15 [document 1] Canary/podinfo spec.webhooks[0].type: rollout webhook is never called: skipAnalysis skips every gate but post-rollout',
    ],
  ])('reports a webhook %s once, with file, line, field and reason', async (name, message) => {
    const file = `${WEBHOOKS}/${name}.yaml`;
    const run = await runCliCaptured(['lint', file]);
    expect(run.stdout.split('\n').filter((line) => line.startsWith(file))).toEqual([`${file}:${message}`]);
    expect(run.code).toBe(1);
  });
});
