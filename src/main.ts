import { CommanderError } from 'commander';
import type { CliContext, CliRun } from './cli/context.ts';
import { buildProgram } from './cli/index.ts';

interface RunOptions {
  out?: (text: string) => void;
  err?: (text: string) => void;
  signal?: AbortSignal;
}

/**
 * Composition root: parses argv (without the node/script prefix), runs one verb and returns its
 * exit code. Output goes to the given writers so tests can run the CLI in-process.
 */
export async function runCli(args: string[], options: RunOptions = {}): Promise<number> {
  let code = 0;
  const ctx: CliContext = {
    out: options.out ?? ((text) => process.stdout.write(text)),
    err: options.err ?? ((text) => process.stderr.write(text)),
    exit: (value) => {
      code = value;
    },
    signal: options.signal ?? new AbortController().signal,
  };
  try {
    await (await buildProgram(ctx, args)).parseAsync(args, { from: 'user' });
    return code;
  } catch (err) {
    // commander exits 1 on usage errors unless a verb chose its own code (see usageExitCode).
    if (err instanceof CommanderError) return err.exitCode === 1 ? 2 : err.exitCode;
    throw err;
  }
}

/** Runs the CLI in-process and captures its output. */
export async function runCliCaptured(args: string[], signal?: AbortSignal): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
    ...(signal ? { signal } : {}),
  });
  return { code, stdout, stderr };
}

/** Process entry: wires signals to an AbortController and sets the exit code. */
export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return runCli(argv.slice(2), { signal: controller.signal });
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  process.exitCode = await main(process.argv);
}
