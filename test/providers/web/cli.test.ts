import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../../src/main.ts';
import { json, startRecordingServer, type RecordingServer } from './recording-server.ts';

/** `serin analyze` and `serin lint` with web metrics, against a local recording server. */

let dir: string;
let server: RecordingServer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'serin-web-cli-'));
});
beforeEach(async () => {
  server = await startRecordingServer();
});
afterEach(async () => server.close());

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function smokeTemplate(url: string): string {
  return `apiVersion: serin.dev/v1alpha1
kind: AnalysisTemplate
metadata:
  name: smoke
spec:
  args:
    - name: service
  metrics:
    - name: error-rate
      successCondition: result < 0.05
      provider:
        web:
          url: ${url}/errors?service={{args.service}}
          headers:
            - name: X-Requested-By
              value: serin
          jsonPath: $.data.errorRate
`;
}

describe('serin analyze with a web metric', () => {
  it('exits 0 on a passing answer, having asked only the configured URL with the encoded arg', async () => {
    server.answer(json({ data: { errorRate: 0.01 } }));
    const template = file('pass.yaml', smokeTemplate(server.url));
    const run = await runCliCaptured([
      'analyze',
      '--template',
      template,
      '--once',
      '--arg',
      'service=shop&x=1',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('error-rate');
    expect(run.stdout).toContain('0.01');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/errors?service=shop%26x%3D1' });
    expect(server.requests[0]?.headers['x-requested-by']).toBe('serin');
  });

  it('exits 1 when the value fails the condition', async () => {
    server.answer(json({ data: { errorRate: 0.3 } }));
    const template = file('fail.yaml', smokeTemplate(server.url));
    const run = await runCliCaptured(['analyze', '--template', template, '--once', '--arg', 'service=shop']);
    expect(run.code).toBe(1);
  });

  it('exits 3 (Error), never 0, when the endpoint answers 503', async () => {
    server.answer(json({ data: { errorRate: 0 } }, 503));
    const template = file('error.yaml', smokeTemplate(server.url));
    const run = await runCliCaptured(['analyze', '--template', template, '--once', '--arg', 'service=shop']);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('HTTP 503');
  });

  it('refuses to replay a web metric over past data, sending nothing', async () => {
    const template = file('backtest.yaml', smokeTemplate(server.url));
    const run = await runCliCaptured([
      'analyze',
      '--template',
      template,
      '--arg',
      'service=shop',
      '--from',
      'now-1h',
    ]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('metric "error-rate" uses provider.web, which answers only now');
    expect(server.requests).toEqual([]);
  });
});

describe('serin lint with a web metric', () => {
  it('passes a valid web template', async () => {
    const run = await runCliCaptured(['lint', file('valid.yaml', smokeTemplate('https://checker.example'))]);
    expect(run.stdout).toContain('all valid');
    expect(run.code).toBe(0);
  });

  it('names the file, line, field and reason of each problem', async () => {
    const path = file(
      'bad-web.yaml',
      `apiVersion: serin.dev/v1alpha1
kind: AnalysisTemplate
metadata:
  name: bad-web
spec:
  metrics:
    - name: smoke
      successCondition: result == 0
      provider:
        web:
          url: ftp://checker.example/run
          method: DELETE
          jsonPath: $..failed
    - name: body
      successCondition: result == 0
      provider:
        web:
          url: http://checker.example/{{args.missing}}
          method: POST
          body: '{"count": {{canary.revision}}}'
          jsonPath: $.failed
`,
    );
    const run = await runCliCaptured(['lint', path]);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    const where = `${path}:`;
    expect(lines).toEqual(
      expect.arrayContaining([
        `${where}11 [document 1] AnalysisTemplate/bad-web spec.metrics[0].provider.web.url: must be an absolute http:// or https:// URL without spaces`,
        expect.stringMatching(
          /^.*bad-web\.yaml:12 \[document 1\] AnalysisTemplate\/bad-web spec\.metrics\[0\]\.provider\.web\.method: /,
        ) as unknown,
        `${where}13 [document 1] AnalysisTemplate/bad-web spec.metrics[0].provider.web.jsonPath: unsupported JSONPath: at column 2: recursive descent (..) is not supported`,
      ]),
    );
    // The schema errors come first; a document that does not parse gets no further checks.
    expect(lines.at(-1)).toBe('1 document(s) in 1 file(s): 3 problem(s)');
  });

  it('says a web metric without conditions would always be Inconclusive', async () => {
    const template = smokeTemplate('https://checker.example').replace(
      '      successCondition: result < 0.05\n',
      '',
    );
    const path = file('no-condition.yaml', template);
    const run = await runCliCaptured(['lint', path]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `${path}:9 [document 1] AnalysisTemplate/smoke spec.metrics[0]: has neither successCondition nor failureCondition: every measurement would be Inconclusive`,
    );
  });

  it('checks placeholders and the body once the schema holds', async () => {
    const path = file(
      'bad-body.yaml',
      `apiVersion: serin.dev/v1alpha1
kind: AnalysisTemplate
metadata:
  name: bad-body
spec:
  metrics:
    - name: body
      successCondition: result == 0
      provider:
        web:
          url: http://checker.example/{{args.missing}}
          method: POST
          body: '{"count": {{canary.revision}}}'
          jsonPath: $.failed
`,
    );
    const run = await runCliCaptured(['lint', path]);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      `${path}:11 [document 1] AnalysisTemplate/bad-body spec.metrics[0].provider.web.url: placeholder {{args.missing}} is not declared in spec.args (nor a built-in canary.* arg)`,
      `${path}:13 [document 1] AnalysisTemplate/bad-body spec.metrics[0].provider.web.body: placeholder {{canary.revision}} must sit inside a JSON string ("..."), where its value is JSON-encoded`,
      '1 document(s) in 1 file(s): 2 problem(s)',
    ]);
  });
});
