/**
 * Issue 21: one error boundary for the CLI and limits on what it reads. Each hostile fixture in
 * test/fixtures/hostile/ has its expected message here; none may print a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/input-files.ts';
import { reportUncaught, runCliCaptured } from '../../src/main.ts';

const FIXTURES = 'test/fixtures/hostile';
const dir = mkdtempSync(join(tmpdir(), 'serin-hostile-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** Each fixture and the one problem `serin lint` reports for it (exit 1: problems found). */
const LINT_EXPECTED: [string, string][] = [
  [
    'billion-laughs.yaml',
    'billion-laughs.yaml:1 [document 1] YAML: too many aliases (it expands like a "billion laughs" attack); refused',
  ],
  ['binary-nul.yaml', 'binary-nul.yaml [document 1] binary file (it holds NUL bytes), not text'],
  ['invalid-utf8.yaml', 'invalid-utf8.yaml [document 1] binary file (not valid UTF-8), not text'],
  ['deep-nesting.yaml', 'deep-nesting.yaml:1 [document 1] nested more than 64 levels deep (the limit)'],
  ['self-alias.yaml', 'self-alias.yaml:1 [document 1] nested more than 64 levels deep (the limit)'],
  [
    'too-many-documents.yaml',
    'too-many-documents.yaml [document 1] more than 1000 YAML documents (the limit)',
  ],
  ['duplicate-keys.yaml', 'duplicate-keys.yaml:3 [document 1] YAML: Map keys must be unique'],
  ['random-bytes.yaml', 'random-bytes.yaml [document 1] binary file (not valid UTF-8), not text'],
  [
    'truncated-template.yaml',
    'truncated-template.yaml:29 [document 1] AnalysisTemplate/istio-latency-p99 spec.metrics[0].provider: Invalid input',
  ],
  [
    'huge-scalar.yaml',
    `huge-scalar.yaml:4 [document 1] AnalysisTemplate/${'a'.repeat(63)}… metadata.name: Too big: expected string to have <=253 characters`,
  ],
  [
    'odd-numbers.yaml',
    'odd-numbers.yaml:7 [document 1] AnalysisTemplate/odd-numbers spec.metrics[0].count: Invalid input: expected number, received Infinity',
  ],
  ['crlf-bom.yaml', 'crlf-bom.yaml:3 [document 1] YAML: Unexpected scalar at node end'],
  [
    'hostile-cel.yaml',
    'hostile-cel.yaml:7 [document 1] AnalysisTemplate/hostile-cel spec.metrics[0].successCondition: CEL: Exceeded maxDepth (32)',
  ],
  [
    'js-function-tag.yaml',
    'js-function-tag.yaml:4 [document 1] AnalysisTemplate/function () { return 1 } metadata.name: must be a lowercase RFC 1123 name',
  ],
];

describe('serin lint on hostile files', () => {
  it.each(LINT_EXPECTED)(
    '%s: one line naming the file and the reason, exit 1, no stack',
    async (name, message) => {
      const run = await runCliCaptured(['lint', join(FIXTURES, name)]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`${FIXTURES}/${message}`);
      expect(STACK_FRAME.test(run.stdout + run.stderr)).toBe(false);
    },
  );

  it('long-promql-chain.yaml: thousands of chained operators are a PromQL problem, not a crash (the fuzz suite found this)', async () => {
    const run = await runCliCaptured(['lint', join(FIXTURES, 'long-promql-chain.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /long-promql-chain\.yaml:11 \[document 1\] AnalysisTemplate\/hostile spec\.metrics\[0\]\.provider\.prometheus\.query: PromQL syntax error at line 1, column \d+: (unexpected input near|the query is nested too deeply to parse)/,
    );
    expect(run.stderr).toBe('');
  });

  it('lints the other files of a directory when one of them is unreadable', async () => {
    const mixed = mkdtempSync(join(dir, 'mixed-'));
    writeFileSync(join(mixed, 'a-bomb.yaml'), '\u0000');
    writeFileSync(join(mixed, 'b-template.yaml'), 'apiVersion: serin.dev/v1alpha1\nkind: AnalysisTemplate\n');
    const run = await runCliCaptured(['lint', mixed]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('a-bomb.yaml [document 1] binary file');
    expect(run.stdout).toContain('b-template.yaml:');
  });

  it('refuses a file over the size limit, which SERIN_MAX_FILE_BYTES sets', async () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `a: ${'x'.repeat(200)}\n`);
    process.env.SERIN_MAX_FILE_BYTES = '100';
    try {
      const run = await runCliCaptured(['lint', big]);
      expect(run.stdout).toContain(
        `${big} [document 1] larger than 100 bytes (the limit; SERIN_MAX_FILE_BYTES raises it)`,
      );
    } finally {
      delete process.env.SERIN_MAX_FILE_BYTES;
    }
  });

  it('refuses a file over 16 MiB by default', async () => {
    const huge = join(dir, 'huge.yaml');
    writeFileSync(huge, Buffer.alloc(16 * 1024 * 1024 + 1, 0x61));
    const run = await runCliCaptured(['lint', huge]);
    expect(run.stdout).toContain('larger than 16 MiB (the limit; SERIN_MAX_FILE_BYTES raises it)');
  });

  it('reads a pipe of any size up to the limit (a pipe reports size 0)', () => {
    const yaml = `${Array.from({ length: 5_000 }, (_, i) => `k${i}: ${'v'.repeat(40)}`).join('\n')}\n`;
    const script = `import('./src/cli/input-files.ts').then((m) => process.stdout.write(String(m.readInputText('/dev/stdin').length)))`;
    const file = join(dir, 'piped.yaml');
    writeFileSync(file, yaml);
    // A shell pipe, as `kubectl get … -o yaml | serin import -f -` gives one.
    const run = spawnSync(
      'bash',
      ['-c', 'cat "$0" | "$1" --import tsx -e "$2"', file, process.execPath, script],
      { encoding: 'utf8' },
    );
    expect(yaml.length).toBeGreaterThan(200_000);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(String(yaml.length));
  });

  it('reads a BOM and CRLF line endings like any file', async () => {
    const file = join(dir, 'bom.yaml');
    const text = `\uFEFF${[
      'apiVersion: serin.dev/v1alpha1',
      'kind: AnalysisTemplate',
      'metadata: {name: ok}',
      'spec:',
      '  metrics:',
      '    - name: m',
      '      successCondition: result < 1',
      '      provider: {prometheus: {address: "http://p:9090", query: up}}',
    ].join('\r\n')}\r\n`;
    writeFileSync(file, text);
    const run = await runCliCaptured(['lint', file]);
    expect(run.stdout).toContain('all valid');
    expect(run.code).toBe(0);
  });

  it('lints a directory of 10,000 files', async () => {
    const many = mkdtempSync(join(dir, 'many-'));
    for (let i = 0; i < 10_000; i++) {
      writeFileSync(join(many, `t${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`);
    }
    const run = await runCliCaptured(['lint', many]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('0 document(s) in 10000 file(s): all valid');
    expect(run.code).toBe(0);
  }, 120_000);
});

describe('serin analyze and serin judge on hostile files', () => {
  it('analyze --template refuses an alias bomb with exit 4, naming the file', async () => {
    const file = join(FIXTURES, 'billion-laughs.yaml');
    const run = await runCliCaptured(['analyze', '--template', file, '--once']);
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(
      `serin analyze: ${file}: document 1: YAML: too many aliases (it expands like a "billion laughs" attack); refused\n`,
    );
  });

  it('analyze names the template file when an argument has no value', async () => {
    const file = 'analysis-templates/istio-success-rate.yaml';
    const run = await runCliCaptured(['analyze', '--template', file, '--once']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`serin analyze: ${file}: argument "namespace" has no value`);
  });

  it('judge refuses a binary file and a directory with exit 4, naming them', async () => {
    const binary = join(FIXTURES, 'binary-nul.yaml');
    const run = await runCliCaptured(['judge', '--baseline', binary, '--canary', binary]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`${binary}: binary file (it holds NUL bytes), not text`);
    const folder = await runCliCaptured(['judge', '--baseline', FIXTURES, '--canary', binary]);
    expect(folder.code).toBe(4);
    expect(folder.stderr).toContain(`${FIXTURES}: is a directory, not a file`);
  });

  it('judge gives the line of the first value that is not a number', async () => {
    const file = join(dir, 'samples.txt');
    writeFileSync(file, '1\n2\n1e400\nlots\n');
    const run = await runCliCaptured(['judge', '--baseline', file, '--canary', file]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`${file}:4: "lots" is not a number`);
  });
});

describe('the error boundary', () => {
  it('prints a bug in serin as one line that says so and how to see the stack', () => {
    let out = '';
    const code = reportUncaught(new TypeError('x is undefined\n  more detail'), {
      verb: 'lint',
      debug: false,
      write: (text) => (out += text),
    });
    expect(out).toBe(
      'serin lint: internal error: x is undefined (a bug in serin; --debug or SERIN_DEBUG=1 prints the stack)\n',
    );
    expect(code).toBe(2);
  });

  it('prints the stack with --debug', () => {
    let out = '';
    reportUncaught(new Error('boom'), { verb: 'judge', debug: true, write: (text) => (out += text) });
    expect(out.split('\n')[0]).toBe(
      'serin judge: internal error: boom (a bug in serin; --debug or SERIN_DEBUG=1 prints the stack)',
    );
    expect(STACK_FRAME.test(out)).toBe(true);
  });

  it("exits with each verb's code for unreadable input: 4 for analyze and judge, 2 otherwise", () => {
    const quiet = { debug: false, write: () => undefined };
    const input = new InputError('f.yaml', 'binary file');
    expect(reportUncaught(input, { ...quiet, verb: 'analyze' })).toBe(4);
    expect(reportUncaught(input, { ...quiet, verb: 'judge' })).toBe(4);
    expect(reportUncaught(input, { ...quiet, verb: 'lint' })).toBe(2);
    expect(reportUncaught(input, { ...quiet, verb: undefined })).toBe(2);
  });
});
