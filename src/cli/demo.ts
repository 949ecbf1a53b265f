import { Option, type Command } from 'commander';
import { prometheusBinary } from '../sim/prometheus.ts';
import {
  chooseView,
  runDemo,
  type DemoOptions,
  type DemoOutcome,
  type PromoteRequest,
  type PromoteResult,
} from '../sim/demo/index.ts';
import type { CliContext } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { createProgram } from './program.ts';
import { registerPromote } from './promote.ts';

/** The demo's exit codes (listed in its --help). */
export const DEMO_EXIT = {
  ok: EXIT.ok,
  /** A release did not end as expected, or a wait timed out. */
  failed: 1,
  usage: EXIT.usage,
  /** No prometheus binary. */
  noPrometheus: 3,
  /** Stopped by SIGINT/SIGTERM before the end. */
  interrupted: 130,
} as const;

/** What the verb needs from the process; tests replace parts. */
export interface DemoVerbDeps {
  prometheusBinary: () => string | undefined;
  runDemo: (options: DemoOptions) => Promise<DemoOutcome>;
  /** Facts about the process's stdout and environment. */
  terminal: () => {
    isTTY: boolean;
    term: string | undefined;
    noColor: boolean;
    columns: number;
    rows: number;
  };
}

interface DemoFlags {
  keep: boolean;
  rps: string;
  view: 'auto' | 'live' | 'log';
}

const NO_PROMETHEUS = `serin demo needs a real Prometheus, and no prometheus binary was found
(looked at $PROMETHEUS_BIN, /usr/bin/prometheus and PATH).

Install one:
  Debian/Ubuntu:  sudo apt-get install prometheus
  macOS:          brew install prometheus
  any system:     download from https://prometheus.io/download/ and set PROMETHEUS_BIN=/path/to/prometheus

The demo starts it itself on 127.0.0.1 with a temporary config; nothing else is needed.
`;

const HELP_AFTER = `
Starts everything in this process: a Kubernetes API simulator, emulated pods and Istio mesh (load at
--rps), a real Prometheus scraping them, and the serin controller. Applies docs/examples in namespace
"demo", then releases a good version (analysis passes; the demo approves as on-call; promoted) and a
bad one (20% errors; the analysis fails; aborted and scaled down), and prints a summary.

On a terminal the view is redrawn in place; otherwise (CI, pipes) it prints one line per change.

Exit codes:
  0    both releases ended as expected
  1    a release did not end as expected, or a wait timed out (the message says which)
  2    usage error
  3    no prometheus binary (the message says how to install one)
  130  interrupted (SIGINT/SIGTERM); everything was stopped`;

function defaultTerminal(): ReturnType<DemoVerbDeps['terminal']> {
  return {
    isTTY: process.stdout.isTTY,
    term: process.env.TERM,
    noColor: process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '',
    columns: process.stdout.columns,
    rows: process.stdout.rows,
  };
}

/**
 * `serin promote NAME -n NS --kubeconfig K --reason R`, run in this process exactly as on-call would
 * run it: the demo's approval takes the verb's path (its refusals, SelfSubjectReview, --wait).
 */
async function promoteVerb(request: PromoteRequest, signal: AbortSignal): Promise<PromoteResult> {
  let output = '';
  let code = 0;
  const ctx: CliContext = {
    out: (text) => {
      output += text;
    },
    err: (text) => {
      output += text;
    },
    exit: (exitCode) => {
      code = exitCode;
    },
    signal,
  };
  const program = createProgram(ctx);
  registerPromote(program, ctx);
  const { name, namespace, kubeconfig, reason } = request;
  await program.parseAsync(
    ['promote', name, '-n', namespace, '--kubeconfig', kubeconfig, '--reason', reason],
    {
      from: 'user',
    },
  );
  return { ok: code === 0, output };
}

function exitCodeOf(outcome: DemoOutcome): number {
  switch (outcome.kind) {
    case 'done':
      return outcome.releases.every((release) => release.phase === release.expected)
        ? DEMO_EXIT.ok
        : DEMO_EXIT.failed;
    case 'failed':
      return DEMO_EXIT.failed;
    case 'interrupted':
      return DEMO_EXIT.interrupted;
  }
}

async function runVerb(flags: DemoFlags, ctx: CliContext, deps: DemoVerbDeps): Promise<void> {
  const rps = Number(flags.rps);
  if (!Number.isFinite(rps) || rps <= 0 || rps > 1000) {
    ctx.err(`serin demo: --rps must be a number above 0 and at most 1000 (got "${flags.rps}")\n`);
    ctx.exit(DEMO_EXIT.usage);
    return;
  }
  if (deps.prometheusBinary() === undefined) {
    ctx.err(NO_PROMETHEUS);
    ctx.exit(DEMO_EXIT.noPrometheus);
    return;
  }
  const terminal = deps.terminal();
  const view = chooseView({ requested: flags.view, isTTY: terminal.isTTY, term: terminal.term });
  const outcome = await deps.runDemo({
    rps,
    keep: flags.keep,
    view,
    out: (text) => {
      ctx.out(text);
    },
    signal: ctx.signal,
    promote: (request) => promoteVerb(request, ctx.signal),
    terminal: {
      size: () => {
        const now = deps.terminal();
        return { columns: now.columns || 100, rows: now.rows || 40 };
      },
      colour: !terminal.noColor,
    },
  });
  if (outcome.kind === 'interrupted') ctx.err('serin demo: interrupted; everything was stopped.\n');
  ctx.exit(exitCodeOf(outcome));
}

/** Builds the `demo` verb with the given dependencies (tests use this to fake the environment). */
export function demoVerb(deps: DemoVerbDeps): (program: Command, ctx: CliContext) => void {
  return (program, ctx) => {
    program
      .command('demo')
      .description('Run serin end to end on this machine: a good release promoted, a bad one rolled back.')
      .option('--keep', 'keep everything running after the scenario (for kubectl), until Ctrl-C', false)
      .option('--rps <n>', 'requests per second sent to the demo service', '100')
      .addOption(
        new Option(
          '--view <mode>',
          'live: redraw in place; log: one line per change; auto: live on a terminal',
        )
          .choices(['auto', 'live', 'log'])
          .default('auto'),
      )
      .addHelpText('after', HELP_AFTER)
      .action(async (flags: DemoFlags) => {
        await runVerb(flags, ctx, deps);
      });
  };
}

/** `serin demo` (also `npm run demo`). */
export const registerDemo = demoVerb({ prometheusBinary, runDemo, terminal: defaultTerminal });
