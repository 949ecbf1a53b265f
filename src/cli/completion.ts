import type { Command } from 'commander';
import { clusterOptions, connect, type ClusterFlags } from './cluster.ts';
import { COMPLETION_SCRIPTS } from './completion-scripts.ts';
import type { CliContext } from './context.ts';
import { ONCALL_EXIT, exitCodesHelp } from './oncall-exit.ts';
import { explain } from './oncall-failure.ts';
import { usageExitCode } from './program.ts';
import { runOncall } from './run-oncall.ts';

const COMPLETION_DESCRIPTION =
  'Print a shell completion script (bash, zsh or fish) for serin and kubectl-serin; Canary names are ' +
  'completed from the cluster.';

async function canaryNames(ctx: CliContext, flags: ClusterFlags): Promise<number> {
  const cluster = connect(flags);
  try {
    const list = await cluster.client.list('serin.dev/v1alpha1', 'Canary', {
      namespace: cluster.namespace,
      signal: ctx.signal,
    });
    const names = list.items.map((c) => c.metadata.name ?? '').filter((n) => n !== '');
    ctx.out(
      names
        .sort()
        .map((n) => `${n}\n`)
        .join(''),
    );
    return ONCALL_EXIT.ok;
  } catch (err) {
    throw explain(err, { verb: 'list', resource: 'canaries.serin.dev', namespace: cluster.namespace });
  }
}

/** Adds `serin completion bash|zsh|fish` and `serin completion canaries` (what the scripts call). */
export function registerCompletion(program: Command, ctx: CliContext): void {
  const command = program
    .command('completion')
    .description(COMPLETION_DESCRIPTION)
    .argument('<shell>', 'bash, zsh or fish; or canaries: the Canary names of a namespace, one a line');
  clusterOptions(command, { allNamespaces: false });
  usageExitCode(command, ONCALL_EXIT.usage);
  command.addHelpText(
    'after',
    '\nbash: source <(serin completion bash)   zsh: source <(serin completion zsh)   fish: serin completion fish | source\n' +
      exitCodesHelp([0, 2, 3, 4, 5]),
  );
  command.action(async (shell: string, flags: ClusterFlags) => {
    if (shell === 'canaries') {
      await runOncall(ctx, 'completion', () => canaryNames(ctx, flags));
      return;
    }
    const script = (COMPLETION_SCRIPTS as Record<string, ((verbs: string) => string) | undefined>)[shell];
    if (script === undefined) {
      ctx.err(`serin completion: unknown shell "${shell}": use bash, zsh or fish\n`);
      ctx.exit(ONCALL_EXIT.usage);
      return;
    }
    // The verbs the program has, so a new verb is completed without editing the scripts.
    ctx.out(
      script(
        program.commands
          .map((c) => c.name())
          .sort()
          .join(' '),
      ),
    );
  });
}
