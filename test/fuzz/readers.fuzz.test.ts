/**
 * The CLI never crashes on hostile input (issue 21). Every file reader — `serin lint`,
 * `serin analyze --template`, `serin judge` — is fed generated hostile and broken files; each run
 * must end with a documented exit code, name the file when it refuses it, print no stack trace,
 * and finish (a hang detector: 5 s per input, about a thousand times a normal run).
 *
 * `npm test` and CI run SERIN_FUZZ_RUNS inputs per reader (default 300); `npm run fuzz` runs
 * 10,000 and prints the figures written to docs/reliability.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../src/main.ts';
import { hostileFile } from './hostile-inputs.ts';

const RUNS = Number(process.env.SERIN_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.SERIN_FUZZ_SEED ?? 21);
/** Not a speed goal: an input still running after this long is a hang. */
const HANG_MS = 5_000;
const dir = mkdtempSync(join(tmpdir(), 'serin-fuzz-'));
const sample = join(dir, 'sample.txt');
writeFileSync(sample, '10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n21\n22\n23\n24\n25\n26\n27\n28\n29\n');
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A stack frame as Node prints one: "    at fn (file:line:col)". */
const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

interface Reader {
  readonly name: string;
  readonly args: (file: string) => string[];
  /** The exit codes its help documents. */
  readonly codes: readonly number[];
  /** Codes that refuse the input: the output must name the file. */
  readonly refusals: readonly number[];
}

const READERS: readonly Reader[] = [
  { name: 'lint', args: (file) => ['lint', file], codes: [0, 1, 2], refusals: [1, 2] },
  {
    name: 'analyze --template',
    // Port 9 on loopback refuses at once: a valid template ends as an Error verdict (3).
    args: (file) => ['analyze', '--template', file, '--once', '--prometheus', 'http://127.0.0.1:9'],
    codes: [1, 2, 3, 4],
    refusals: [4],
  },
  {
    name: 'judge',
    args: (file) => ['judge', '--baseline', file, '--canary', sample],
    codes: [0, 1, 2, 4],
    refusals: [4],
  },
];

interface Figures {
  inputs: number;
  slowestMs: number;
  slowestKind: string;
  peakRssMiB: number;
  byCode: Record<number, number>;
  msByKind: Record<string, number>;
}

const figures = new Map<string, Figures>();

afterAll(() => {
  const rows = [...figures].map(
    ([name, f]) =>
      `| ${name} | ${f.inputs} | ${f.slowestMs.toFixed(0)} ms (${f.slowestKind}) | ${f.peakRssMiB.toFixed(0)} MiB | ${Object.entries(
        f.byCode,
      )
        .map(([code, n]) => `${code}: ${n}`)
        .join(', ')} |`,
  );
  console.info(
    ['| reader | inputs | slowest | peak RSS | exit codes |', '|---|---|---|---|---|', ...rows].join('\n'),
  );
  for (const [name, f] of figures) {
    const spent = Object.entries(f.msByKind)
      .sort(([, a], [, b]) => b - a)
      .map(([kind, ms]) => `${kind} ${(ms / 1000).toFixed(1)} s`);
    console.info(`${name}: time by input class: ${spent.join(', ')}`);
  }
});

describe('the CLI never crashes on hostile input', () => {
  for (const reader of READERS) {
    it(`serin ${reader.name}: ${RUNS} hostile files end with a documented code, name the file, print no stack`, async () => {
      const f: Figures = {
        inputs: 0,
        slowestMs: 0,
        slowestKind: '',
        peakRssMiB: 0,
        byCode: {},
        msByKind: {},
      };
      figures.set(reader.name, f);
      // Warm up: the first run of a verb loads its modules, which is not the input's doing.
      await runCliCaptured(reader.args(sample));
      await fc.assert(
        fc.asyncProperty(hostileFile, async ({ kind, bytes }) => {
          const file = join(dir, `input-${f.inputs}.yaml`);
          writeFileSync(file, bytes);
          const started = performance.now();
          const run = await runCliCaptured(reader.args(file));
          const elapsed = performance.now() - started;
          f.inputs++;
          f.byCode[run.code] = (f.byCode[run.code] ?? 0) + 1;
          if (elapsed > f.slowestMs) [f.slowestMs, f.slowestKind] = [elapsed, kind];
          f.msByKind[kind] = (f.msByKind[kind] ?? 0) + elapsed;
          f.peakRssMiB = Math.max(f.peakRssMiB, process.memoryUsage().rss / 2 ** 20);
          const output = `${run.stdout}\n${run.stderr}`;
          const context = `${kind}: exit ${run.code}\n${output.slice(0, 600)}`;
          expect(reader.codes, context).toContain(run.code);
          expect(STACK_FRAME.test(output), context).toBe(false);
          expect(output, context).not.toMatch(/internal error/);
          if (reader.refusals.includes(run.code)) expect(output, context).toContain(file);
          expect(elapsed, `${context}\ntook ${elapsed.toFixed(0)} ms`).toBeLessThan(HANG_MS);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    }, 600_000);
  }
});
