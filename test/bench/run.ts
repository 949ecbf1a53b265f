/**
 * `npm run bench`: runs every test/bench/*.bench.ts module in name order. Each exports
 * `async function run(): Promise<void>` that prints its own figures. Benchmarks print; they never
 * assert on time.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

interface BenchModule {
  run?: () => Promise<void>;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => only.length === 0 || only.some((word) => name.includes(word)))
  .sort();

for (const name of files) {
  const bench = (await import(pathToFileURL(join(dir, name)).href)) as BenchModule;
  if (typeof bench.run !== 'function') {
    console.error(`${name}: exports no run() function; skipped`);
    process.exitCode = 1;
    continue;
  }
  console.log(`# ${name}`);
  await bench.run();
}
