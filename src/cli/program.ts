import { Command, CommanderError, Option } from 'commander';
import type { CliContext } from './context.ts';

/** The --output option shared by every verb that prints data. */
export function outputOption(choices: readonly string[] = ['table', 'json', 'yaml']): Option {
  return new Option('-o, --output <format>', 'output format').choices(choices).default(choices[0]);
}

/** Creates the root `serin` command. Verbs are added by src/cli/index.ts. */
export function createProgram(ctx: CliContext): Command {
  return new Command('serin')
    .description('serin: progressive-delivery canary controller for Kubernetes (Istio + Prometheus).')
    .version('0.1.0')
    .configureOutput({
      writeOut: (s) => {
        ctx.out(s);
      },
      writeErr: (s) => {
        ctx.err(s);
      },
    })
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true })
    .addHelpText(
      'after',
      '\nAlso runs as `kubectl serin <verb>`. Every verb lists its exit codes in `serin <verb> --help`;\n' +
        'a usage error exits 2 (4 for analyze and judge, whose 1-3 are verdicts).',
    )
    .exitOverride();
}

/**
 * Makes commander's own usage errors (unknown option, missing value, bad choice) exit with `code`
 * for this verb. Verbs whose exit codes give 1 and 2 other meanings (analyze, judge) use 4.
 */
export function usageExitCode(command: Command, code: number): Command {
  return command.exitOverride((err) => {
    throw err.exitCode === 0 ? err : new CommanderError(code, err.code, err.message);
  });
}
