import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.ts';
import { DEMO_EXIT, demoVerb, type DemoVerbDeps } from '../../src/cli/demo.ts';
import { createProgram } from '../../src/cli/program.ts';
import type { DemoOptions, DemoOutcome } from '../../src/sim/demo/index.ts';
import type { ReleaseResult } from '../../src/sim/demo/index.ts';

const release = (phase: ReleaseResult['phase'], expected: ReleaseResult['expected']): ReleaseResult => ({
  label: 'good',
  version: 'podinfo:1',
  expected,
  phase,
  durationMs: 1,
  deciding: [],
  notes: [],
});

async function run(args: string[], over: Partial<DemoVerbDeps> = {}) {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const calls: DemoOptions[] = [];
  const ctx: CliContext = {
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
    exit: (value) => (code = value),
    signal: new AbortController().signal,
  };
  const deps: DemoVerbDeps = {
    prometheusBinary: () => '/usr/bin/prometheus',
    runDemo: (options) => {
      calls.push(options);
      return Promise.resolve<DemoOutcome>({ kind: 'done', releases: [release('Succeeded', 'Succeeded')] });
    },
    terminal: () => ({ isTTY: false, term: 'xterm', noColor: false, columns: 80, rows: 24 }),
    ...over,
  };
  const program = createProgram(ctx);
  demoVerb(deps)(program, ctx);
  try {
    await program.parseAsync(['demo', ...args], { from: 'user' });
  } catch (err) {
    code = (err as { exitCode?: number }).exitCode ?? -1;
  }
  return { code, stdout, stderr, calls };
}

describe('serin demo (verb)', () => {
  it('without a prometheus binary, says how to install one and exits 3 without starting anything', async () => {
    const result = await run([], { prometheusBinary: () => undefined });
    expect(result.code).toBe(DEMO_EXIT.noPrometheus);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('apt-get install prometheus');
    expect(result.stderr).toContain('PROMETHEUS_BIN');
    expect(result.calls).toHaveLength(0);
  });

  it('rejects a request rate that is not a positive number with a usage error', async () => {
    const result = await run(['--rps', 'fast']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--rps');
    expect(result.calls).toHaveLength(0);
  });

  it('passes --rps and --keep through, and logs (no redraw) when stdout is not a terminal', async () => {
    const result = await run(['--rps', '50', '--keep']);
    expect(result.code).toBe(0);
    expect(result.calls[0]).toMatchObject({ rps: 50, keep: true, view: 'log' });
  });

  it('uses the live view on a terminal', async () => {
    const result = await run([], {
      terminal: () => ({ isTTY: true, term: 'xterm', noColor: true, columns: 80, rows: 24 }),
    });
    expect(result.calls[0]?.view).toBe('live');
    expect(result.calls[0]?.terminal?.colour).toBe(false);
  });

  it('exits 1 when a release did not end as expected, or the demo failed', async () => {
    const unexpected = await run([], {
      runDemo: () => Promise.resolve({ kind: 'done', releases: [release('Aborted', 'Succeeded')] }),
    });
    expect(unexpected.code).toBe(1);
    const failed = await run([], {
      runDemo: () => Promise.resolve({ kind: 'failed', error: new Error('timed out'), releases: [] }),
    });
    expect(failed.code).toBe(1);
  });

  it('exits 130 when interrupted', async () => {
    const result = await run([], { runDemo: () => Promise.resolve({ kind: 'interrupted', releases: [] }) });
    expect(result.code).toBe(DEMO_EXIT.interrupted);
    expect(result.stderr).toContain('interrupted');
  });

  it('documents its exit codes in --help', async () => {
    const result = await run(['--help']);
    expect(result.stdout).toMatch(/3\s+no prometheus binary/);
    expect(result.stdout).toContain('--keep');
  });
});
