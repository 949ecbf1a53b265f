/**
 * The alerts and the dashboard name only metrics the controller exports, and their PromQL parses:
 * the rules with Prometheus' own `promtool` (which also runs unit tests of when they fire), the
 * dashboard's panels with the PromQL grammar serin lints templates with.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPromqlSyntax } from '../../src/analysis/promql-syntax.ts';
import { ControllerMetrics } from '../../src/telemetry/metrics.ts';

const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';
const dir = mkdtempSync(join(tmpdir(), 'serin-monitoring-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every series name the controller's /metrics can carry (histograms as _bucket, _sum, _count). */
async function exportedNames(): Promise<Set<string>> {
  const metrics = new ControllerMetrics({ processMetrics: true });
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram')
      for (const s of ['_bucket', '_sum', '_count']) names.add(`${m.name}${s}`);
  }
  return names;
}

const serinNames = (expr: string) => [...expr.matchAll(/\bserin_[a-z_]+/g)].map((m) => m[0]);

interface Rule {
  alert: string;
  expr: string;
}
const ruleFile = parse(readFileSync('deploy/components/monitoring/prometheus-rule.yaml', 'utf8')) as {
  spec: { groups: { name: string; rules: Rule[] }[] };
};
const rules = ruleFile.spec.groups.flatMap((g) => g.rules);
const rulesPath = join(dir, 'rules.yaml');
writeFileSync(rulesPath, stringify({ groups: ruleFile.spec.groups }));

describe('the PrometheusRule', () => {
  it('passes promtool check rules', () => {
    const run = spawnSync(PROMTOOL, ['check', 'rules', rulesPath], { encoding: 'utf8' });
    expect(run.stderr + run.stdout).toMatch(/SUCCESS: 7 rules found/);
    expect(run.status).toBe(0);
  });

  it('alerts on controller down, no leader, reconcile errors, passes that keep failing, an aborted Canary, a long pause and an analysis error streak', () => {
    expect(rules.map((r) => r.alert)).toEqual([
      'SerinControllerDown',
      'SerinNoLeader',
      'SerinReconcileErrorsRising',
      'SerinPassesFailing',
      'SerinCanaryAborted',
      'SerinCanaryPausedLong',
      'SerinAnalysisErrorStreak',
    ]);
  });

  it('names only metrics the controller exports', async () => {
    const exported = await exportedNames();
    for (const rule of rules)
      for (const name of serinNames(rule.expr)) expect(exported, rule.alert).toContain(name);
  });

  it('fires when it should, and not otherwise (promtool test rules)', () => {
    const m = (labels: string) =>
      `serin_analysis_measurements_total{job="serin-controller-metrics",${labels}}`;
    const tests = {
      rule_files: [rulesPath],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            {
              series: 'serin_canary_phase{namespace="shop",name="checkout",phase="Aborted"}',
              values: '0 0 1 1',
            },
            { series: 'serin_canary_phase{namespace="shop",name="cart",phase="Aborted"}', values: '0 0 0 0' },
            { series: m('metric="p99",phase="Error"'), values: '0+1x20' },
            { series: m('metric="success-rate",phase="Error"'), values: '0+1x20' },
            { series: m('metric="success-rate",phase="Successful"'), values: '0+1x20' },
            { series: 'up{job="serin-controller-metrics"}', values: '1 1 0 0 0 0 0 0 0 0' },
            {
              // A 403 at every pass for 40 minutes; a gather 500 once, then never again.
              series:
                'serin_reconcile_failures_total{job="serin-controller-metrics",reason="ApiForbidden",stage="effects"}',
              values: '0+1x40',
            },
            {
              series:
                'serin_reconcile_failures_total{job="serin-controller-metrics",reason="ApiServerError",stage="gather"}',
              values: '0 1 1x40',
            },
          ],
          alert_rule_test: [
            {
              eval_time: '3m',
              alertname: 'SerinCanaryAborted',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', namespace: 'shop', name: 'checkout', phase: 'Aborted' },
                },
              ],
            },
            {
              eval_time: '16m',
              alertname: 'SerinAnalysisErrorStreak',
              exp_alerts: [{ exp_labels: { severity: 'warning', metric: 'p99' } }],
            },
            {
              eval_time: '9m',
              alertname: 'SerinControllerDown',
              exp_alerts: [{ exp_labels: { severity: 'critical' } }],
            },
            { eval_time: '3m', alertname: 'SerinControllerDown', exp_alerts: [] },
            {
              eval_time: '31m',
              alertname: 'SerinPassesFailing',
              exp_alerts: [{ exp_labels: { severity: 'warning', reason: 'ApiForbidden', stage: 'effects' } }],
            },
            { eval_time: '10m', alertname: 'SerinPassesFailing', exp_alerts: [] },
          ],
        },
      ],
    };
    // promtool compares annotations too; these tests are about when alerts fire.
    const bare = ruleFile.spec.groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) => ({ ...r, annotations: undefined })),
    }));
    const barePath = join(dir, 'rules-bare.yaml');
    writeFileSync(barePath, stringify({ groups: bare }));
    tests.rule_files = [barePath];
    const testsPath = join(dir, 'rules.test.yaml');
    writeFileSync(testsPath, stringify(tests));
    const run = spawnSync(PROMTOOL, ['test', 'rules', testsPath], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toMatch(/SUCCESS/);
    expect(run.status).toBe(0);
  });

  it('runs on a promtool that exists', () => {
    expect(execFileSync(PROMTOOL, ['--version'], { encoding: 'utf8' })).toMatch(/promtool/);
  });
});

interface Panel {
  title: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readFileSync('deploy/grafana/serin-dashboard.json', 'utf8')) as {
  panels: Panel[];
};

/** Grafana's variables, as it would substitute them before sending a query. */
const substitute = (expr: string) =>
  expr.replaceAll('$__rate_interval', '2m').replaceAll('$__range', '6h').replaceAll('$namespace', '.*');

describe('the Grafana dashboard', () => {
  const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => [p.title, t.expr] as const));

  it('shows canaries by phase, weights, reconcile latency and measurement outcomes', () => {
    const titles = dashboard.panels.map((p) => p.title);
    for (const t of [
      'Canaries by phase',
      'Canary weight over time',
      'Reconcile latency',
      'Measurement outcomes',
    ])
      expect(titles).toContain(t);
  });

  it.each(targets)('%s: the query parses', (_title, expr) => {
    expect(checkPromqlSyntax(substitute(expr))).toBeUndefined();
  });

  it('names only metrics the controller exports', async () => {
    const exported = await exportedNames();
    expect(targets.length).toBeGreaterThan(0);
    for (const [title, expr] of targets)
      for (const name of serinNames(expr)) expect(exported, title).toContain(name);
  });
});
