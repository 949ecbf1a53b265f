/**
 * `npm run soak [-- <word>…]`: the fault suites at their full counts (issue 17), one file at a time,
 * then every table they recorded, with the date, the machine and the command, ready for
 * docs/reliability.md. A word picks the suites whose file name contains it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTable, type FigureTable } from './figures.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const words = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.soak.test.ts'))
  .filter((name) => words.length === 0 || words.some((word) => name.includes(word)))
  .sort()
  .map((name) => join('test/soak', name));
if (files.length === 0) {
  console.error(`no soak suite matches ${words.join(', ')}`);
  process.exit(2);
}

const out = mkdtempSync(join(tmpdir(), 'serin-soak-'));
const started = Date.now();
const run = spawnSync('npx', ['vitest', 'run', '--project', 'stack', ...files], {
  stdio: 'inherit',
  env: { ...process.env, SERIN_SOAK: 'full', SERIN_SOAK_OUT: out },
});
const tables = readdirSync(out)
  .sort()
  .map((name) => JSON.parse(readFileSync(join(out, name), 'utf8')) as FigureTable);
rmSync(out, { recursive: true, force: true });

const cpu = cpus();
console.log('');
console.log(`## Soak run of ${new Date(started).toISOString().slice(0, 10)}`);
console.log('');
console.log(
  `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
    `Linux ${release()}, Node ${process.version}. Command: \`npm run soak${words.length ? ` -- ${words.join(' ')}` : ''}\`; ` +
    `${((Date.now() - started) / 60_000).toFixed(1)} min.`,
);
console.log('');
for (const table of tables) console.log(renderTable(table));
if (run.status !== 0) {
  console.error(
    `a soak suite failed (vitest exit ${run.status ?? run.signal}): the goals above that say "missed" name it`,
  );
  process.exit(1);
}
