import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCliCaptured } from '../main.ts';
import { lintDocuments } from './lint-rules.ts';

const FIXTURES = 'test/fixtures/import';
const GOLDEN = ['argo-analysis-templates', 'argo-rollout', 'flagger-canary', 'argo-lossless'];

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function documents(text: string): unknown[] {
  return parseAllDocuments(text).map((document) => document.toJS() as unknown);
}

interface JsonReport {
  reports: {
    source: { kind: string; name: string };
    outcome: string;
    outputs: string[];
    items: { outcome: string; path: string; message: string }[];
  }[];
}

describe('serin import', () => {
  it.each(GOLDEN)('converts %s.yaml into the golden objects and report', async (name) => {
    const run = await runCliCaptured(['import', '-f', `${FIXTURES}/${name}.yaml`]);
    expect(documents(run.stdout)).toEqual(
      documents(readFileSync(`${FIXTURES}/${name}.expected.yaml`, 'utf8')),
    );
    expect(run.stderr).toBe(readFileSync(`${FIXTURES}/${name}.report.txt`, 'utf8'));
  });

  it('every fixture output lints clean, as serin lint sees it, templates and Canaries together', async () => {
    const outputs = await Promise.all(
      GOLDEN.map((name) => runCliCaptured(['import', '-f', `${FIXTURES}/${name}.yaml`])),
    );
    const docs = outputs.flatMap((run, file) =>
      documents(run.stdout).map((content, index) => ({ file: String(file), index, content })),
    );
    expect(
      docs.filter((doc) => (doc.content as { apiVersion?: string }).apiVersion === 'serin.dev/v1alpha1')
        .length,
    ).toBeGreaterThan(8);
    expect(lintDocuments(docs)).toEqual([]);
  });

  it('exits 0 when every object converts without losses, 1 when a field is changed or dropped', async () => {
    expect((await runCliCaptured(['import', '-f', `${FIXTURES}/argo-lossless.yaml`])).code).toBe(0);
    expect((await runCliCaptured(['import', '-f', `${FIXTURES}/argo-rollout.yaml`])).code).toBe(1);
  });

  it('reports every unsupported construct with its path and reason, as JSON on request', async () => {
    const run = await runCliCaptured([
      'import',
      '-f',
      FIXTURES + '/argo-rollout.yaml',
      '-f',
      FIXTURES + '/argo-analysis-templates.yaml',
      '--report',
      'json',
      '--output-dir',
      tmp(),
    ]);
    const report = JSON.parse(run.stdout) as JsonReport;
    const dropped = report.reports.flatMap((r) =>
      r.items.filter((i) => i.outcome === 'dropped').map((i) => `${r.source.name} ${i.path}`),
    );
    expect(dropped).toEqual(
      expect.arrayContaining([
        'checkout spec.strategy.canary.steps[3]',
        'checkout spec.strategy.canary.steps[7]',
        'checkout spec.strategy.canary.trafficRouting.istio.destinationRule',
        'checkout spec.strategy.canary.maxSurge',
        'cart spec.workloadRef.scaleDown',
        'error-budget spec.metrics[0].provider.prometheus.authentication.sigv4',
        'error-budget spec.metrics[1]',
        'error-budget spec.metrics[2]',
      ]),
    );
  });

  it('writes one file per object to --output-dir, and leaves other objects out with --only-converted', async () => {
    const dir = tmp();
    const run = await runCliCaptured([
      'import',
      '-f',
      `${FIXTURES}/argo-rollout.yaml`,
      '--output-dir',
      dir,
      '--only-converted',
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      'shop.canary-cart.yaml',
      'shop.canary-checkout.yaml',
      'shop.deployment-checkout.yaml',
    ]);
    expect(run.stdout).toMatch(
      /4 object\(s\): 0 converted, 2 with losses, 0 not converted, 0 passed through, 2 omitted\n$/,
    );
  });

  it('reads a directory, and passes other objects through unchanged', async () => {
    const run = await runCliCaptured(['import', '-f', FIXTURES, '--output-dir', tmp()]);
    expect(run.stdout).toMatch(/Service\/checkout-stable .*: passed-through → Service\/checkout-stable/);
  });

  it('exits 2 without input and on an unknown flag', async () => {
    const none = await runCliCaptured(['import']);
    expect(none.stderr).toBe('serin import: no input: give -f FILE, -f DIR or -f - (stdin)\n');
    expect(none.code).toBe(2);
    expect((await runCliCaptured(['import', '--bogus'])).code).toBe(2);
  });

  it('exits 3 naming the file when input is missing or not YAML', async () => {
    const missing = await runCliCaptured(['import', '-f', 'no/such.yaml']);
    expect(missing.stderr).toBe('serin import: no/such.yaml: no such file or directory\n');
    expect(missing.code).toBe(3);
    const broken = await runCliCaptured(['import', '-f', 'test/fixtures/invalid/yaml-syntax-error.yaml']);
    expect(broken.stderr).toMatch(
      /^serin import: test\/fixtures\/invalid\/yaml-syntax-error.yaml: document 1: YAML: /,
    );
    expect(broken.code).toBe(3);
    const binary = await runCliCaptured(['import', '-f', 'test/fixtures/hostile/binary-nul.yaml']);
    expect(binary.code).toBe(3);
  });
});

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'serin-import-'));
  temporary.push(dir);
  return dir;
}
