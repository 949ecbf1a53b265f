/**
 * The soak suites' shared contract (issue 17). Each suite under test/soak/ is a vitest file that runs a
 * reduced count in `npm test` and CI, and the full count under `npm run soak` (SERIN_SOAK=full). It
 * asserts its goals, and hands its figures to {@link recordFigures}; `npm run soak` (test/soak/run.ts)
 * collects every suite's figures and prints them as one set of tables.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One table of figures: a suite may record several (one per fault family, say). */
export interface FigureTable {
  /** A file-safe name, unique across the suites: `kill-9`, `prometheus-faults`, … */
  readonly id: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  /** The goals as sentences, each with whether this run met it: `canary weight > 0 after an abort: 0 (goal 0): met`. */
  readonly goals?: readonly string[];
  /** What a reader needs to read the rows: what a run is, what was randomised, the seed. */
  readonly notes?: readonly string[];
}

/** Whether this is a full run (`npm run soak`), not the reduced one of `npm test` and CI. */
export function isFullSoak(): boolean {
  return process.env['SERIN_SOAK'] === 'full';
}

/**
 * How many runs to make: `full` under `npm run soak`, `reduced` otherwise. `SERIN_SOAK_COUNT`
 * overrides both (for a quick local run of a single suite).
 */
export function soakCount(counts: { full: number; reduced: number }): number {
  const override = Number.parseInt(process.env['SERIN_SOAK_COUNT'] ?? '', 10);
  if (Number.isFinite(override) && override > 0) return override;
  return isFullSoak() ? counts.full : counts.reduced;
}

/**
 * Hands a table to `npm run soak`, which sets SERIN_SOAK_OUT to a folder; under `npm test` the table
 * is printed to the test's output instead, so a reduced run shows its figures too.
 */
export function recordFigures(table: FigureTable): void {
  const out = process.env['SERIN_SOAK_OUT'];
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `${table.id}.json`), JSON.stringify(table, null, 2));
    return;
  }
  console.log(renderTable(table));
}

/** A table as Markdown, with its goals and notes under it. */
export function renderTable(table: FigureTable): string {
  const line = (cells: readonly (string | number)[]) =>
    `| ${cells.map((cell) => (typeof cell === 'number' ? cell.toLocaleString('en-US') : cell)).join(' | ')} |`;
  const lines = [
    `### ${table.title}`,
    '',
    line(table.columns),
    `| ${table.columns.map(() => '---').join(' | ')} |`,
    ...table.rows.map(line),
  ];
  if (table.goals?.length) lines.push('', ...table.goals.map((goal) => `- ${goal}`));
  if (table.notes?.length) lines.push('', ...table.notes.map((note) => `> ${note}`));
  return `${lines.join('\n')}\n`;
}
