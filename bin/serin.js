#!/usr/bin/env node
// Entry point for `serin` and `kubectl serin`: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
