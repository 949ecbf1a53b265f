#!/usr/bin/env node
// Entry point for `serin` and `kubectl serin`: runs the compiled build in dist/ (`npm run build`,
// which `npm ci` runs through the prepare script). No TypeScript loader at run time: it costs
// seconds of start-up and a hundred-odd MiB that a controller pod should not pay.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('serin: dist/main.js is missing; run `npm run build` (npm ci runs it) first.\n');
  process.exit(2);
}
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv);
