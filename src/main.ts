import { CommanderError } from 'commander';
import type { CliContext, CliRun } from './cli/context.ts';
import { EXIT } from './cli/exit-codes.ts';
import { buildProgram, selectedVerb } from './cli/index.ts';
import { InputError } from './cli/input-files.ts';

interface RunOptions {
  out?: (text: string) => void;
  err?: (text: string) => void;
  signal?: AbortSignal;
}

/**
 * Composition root: parses argv (without the node/script prefix), runs one verb and returns its
 * exit code. Output goes to the given writers so tests can run the CLI in-process.
 */
export async function runCli(rawArgs: string[], options: RunOptions = {}): Promise<number> {
  const debug = rawArgs.includes('--debug') || process.env.SERIN_DEBUG === '1';
  const args = rawArgs.filter((arg) => arg !== '--debug');
  let code = 0;
  const ctx: CliContext = {
    out: options.out ?? ((text) => process.stdout.write(text)),
    err: options.err ?? ((text) => process.stderr.write(text)),
    exit: (value) => {
      code = value;
    },
    signal: options.signal ?? new AbortController().signal,
    isTTY: options.out === undefined && process.stdout.isTTY,
  };
  try {
    await (await buildProgram(ctx, args)).parseAsync(args, { from: 'user' });
    return code;
  } catch (err) {
    // commander exits 1 on usage errors unless a verb chose its own code (see usageExitCode).
    if (err instanceof CommanderError) return err.exitCode === 1 ? 2 : err.exitCode;
    return reportUncaught(err, {
      verb: selectedVerb(args)?.name,
      debug,
      write: (text) => {
        ctx.err(text);
      },
    });
  }
}

/** The code each verb documents for "usage or unreadable input" (2 unless the verb says otherwise). */
const INPUT_EXIT: Readonly<Record<string, number>> = {
  analyze: EXIT.invalidInput,
  judge: EXIT.invalidInput,
  tune: EXIT.invalidInput,
  replay: EXIT.invalidInput,
  // serin import documents 3 for unreadable input (its 2 is usage, its 1 a lossy conversion).
  import: 3,
};

/**
 * The CLI's one error boundary: whatever reaches the top is one line naming the file and what is
 * wrong, or, for a bug in serin, one line that says so and how to see the stack. Never a stack
 * trace unless asked for with --debug or SERIN_DEBUG=1.
 */
export function reportUncaught(
  err: unknown,
  options: { verb: string | undefined; debug: boolean; write: (text: string) => void },
): number {
  const prefix = options.verb === undefined ? 'serin' : `serin ${options.verb}`;
  if (err instanceof InputError) {
    options.write(`${prefix}: ${err.message}\n`);
  } else {
    const what = err instanceof Error ? err.message : String(err);
    options.write(
      `${prefix}: internal error: ${what.split('\n')[0] ?? ''} (a bug in serin; --debug or SERIN_DEBUG=1 prints the stack)\n`,
    );
  }
  if (options.debug && err instanceof Error && err.stack !== undefined) options.write(`${err.stack}\n`);
  return INPUT_EXIT[options.verb ?? ''] ?? EXIT.usage;
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
  // Errors thrown outside the verb's promise (a callback, a stray rejection) get the same boundary.
  const args = argv.slice(2);
  const fatal = (err: unknown): void => {
    process.exitCode = reportUncaught(err, {
      verb: selectedVerb(args)?.name,
      debug: args.includes('--debug') || process.env.SERIN_DEBUG === '1',
      write: (text) => process.stderr.write(text),
    });
    process.exit();
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  return runCli(args, { signal: controller.signal });
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  process.exitCode = await main(process.argv);
}
