import type { Command } from 'commander';
import { registerAnalyze } from './analyze.ts';
import type { CliContext } from './context.ts';
import { registerController } from './controller.ts';
import { registerDemo } from './demo.ts';
import { registerJudge } from './judge.ts';
import { registerLint } from './lint.ts';
import { createProgram } from './program.ts';

type Register = (program: Command, ctx: CliContext) => void;

/** Every verb of the CLI; each module adds one subcommand. */
const VERBS: Register[] = [registerAnalyze, registerLint, registerJudge, registerController, registerDemo];

/** Builds the full `serin` program with every verb registered. */
export function buildProgram(ctx: CliContext): Command {
  const program = createProgram(ctx);
  for (const register of VERBS) register(program, ctx);
  return program;
}
