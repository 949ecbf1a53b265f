import type { Command } from 'commander';
import type { CliContext } from './context.ts';
import { createProgram } from './program.ts';

/** Adds one verb, fully defined (options, help, action), to the program. */
export type RegisterVerb = (program: Command, ctx: CliContext) => void;

/** A verb as the root help lists it; `load` imports its module, and with it the module's dependencies. */
export interface VerbEntry {
  readonly name: string;
  /** Shown by `serin --help`; equal to the description the verb's module gives (a test checks). */
  readonly description: string;
  readonly load: () => Promise<RegisterVerb>;
}

/**
 * Every verb of the CLI. Modules are imported only for the verb that runs: `serin controller` must
 * not pay for (or be exposed to) the simulator, the emulators and the demo, and `serin --help`
 * should start in a fraction of the time every verb's dependency tree would take to load.
 */
export const VERBS: readonly VerbEntry[] = [
  {
    name: 'analyze',
    description:
      'Run an AnalysisTemplate against Prometheus: live (honouring interval and count), --once, or as a backtest ' +
      'over a past time range (--from/--to), printing each measurement and the verdict.',
    load: async () => (await import('./analyze.ts')).registerAnalyze,
  },
  {
    name: 'lint',
    description:
      'Validate Canary, AnalysisTemplate, ClusterAnalysisTemplate and Approval YAML: schema, PromQL syntax, ' +
      'CEL conditions, undeclared placeholders and template references.',
    load: async () => (await import('./lint.ts')).registerLint,
  },
  {
    name: 'import',
    description:
      'Convert Argo Rollouts (AnalysisTemplate, ClusterAnalysisTemplate, Rollout) and Flagger (Canary, MetricTemplate) ' +
      'objects into serin objects, and report every field kept, changed or dropped. See docs/migration.md.',
    load: async () => (await import('./import.ts')).registerImport,
  },
  {
    name: 'judge',
    description:
      'Judge a canary sample against a baseline sample (Mann-Whitney U, Hodges-Lehmann shift, tolerance band).\n' +
      'Files hold one number per line, or CSV with a header (--column). See docs/judge.md.\n' +
      'Exit codes: 0 Pass, 1 High or Low, 2 NoData, 4 usage or unreadable input.',
    load: async () => (await import('./judge.ts')).registerJudge,
  },
  {
    name: 'controller',
    description: 'Run the serin controller: reconcile Canaries, move traffic, run analyses.',
    load: async () => (await import('./controller.ts')).registerController,
  },
  {
    name: 'get',
    description:
      'List Canaries (phase, step, canary weight, what each waits for, last analysis) or Approvals (who decided ' +
      'what, with what result); -w prints a line per change.',
    load: async () => (await import('./get.ts')).registerGet,
  },
  {
    name: 'status',
    description:
      'Show one Canary: steps with a marker at the current one, weights, each metric’s recent measurements ' +
      'against its condition, approvals, Events, and what serin waits for with the command that acts on it.',
    load: async () => (await import('./status.ts')).registerStatus,
  },
  {
    name: 'promote',
    description:
      'Continue a paused Canary (an Approval Promote for its revision and step); --full skips the remaining steps and analyses (PromoteFull).',
    load: async () => (await import('./promote.ts')).registerPromote,
  },
  {
    name: 'abort',
    description:
      "Abort a Canary's rollout (Progressing, Paused or Promoting): canary weight to 0 first, then scaled down.",
    load: async () => (await import('./abort.ts')).registerAbort,
  },
  {
    name: 'retry',
    description:
      "Restart an Aborted or Failed Canary's revision from step 1 (an Approval Retry; new analysis runs).",
    load: async () => (await import('./retry.ts')).registerRetry,
  },
  {
    name: 'pause',
    description: 'Hold a Progressing Canary where it is (an Approval Pause); serin resume continues it.',
    load: async () => (await import('./pause.ts')).registerPause,
  },
  {
    name: 'resume',
    description:
      'Continue a Paused Canary (an Approval Resume); for a pause {} step this is the same as promote.',
    load: async () => (await import('./resume.ts')).registerResume,
  },
  {
    name: 'dashboard',
    description:
      'Serve a live dashboard on this machine (loopback): Canaries, analyses, Events, and Promote/Abort/Retry/Pause/Resume ' +
      'buttons that create Approvals as you, with your kubeconfig. See docs/dashboard.md.',
    load: async () => (await import('./dashboard.ts')).registerDashboard,
  },
  {
    name: 'tune',
    description:
      "Measure a template's false-alarm rate, value distribution and detection power on the stable workload's " +
      'history, and suggest thresholds that meet a target false-alarm rate.',
    load: async () => (await import('./tune.ts')).registerTune,
  },
  {
    name: 'replay',
    description:
      'Replay a Canary against the past: the state machine and the analyses run on a virtual clock from --start, ' +
      'every query evaluated at its virtual time, and the timeline the controller would have produced is printed.',
    load: async () => (await import('./replay.ts')).registerReplay,
  },
  {
    name: 'explain',
    description:
      'Document a serin kind or one of its fields, offline: the text kubectl explain prints with the CRDs ' +
      'installed, e.g. serin explain canary.spec.steps.analysis.',
    load: async () => (await import('./explain.ts')).registerExplain,
  },
  {
    name: 'completion',
    description:
      'Print a shell completion script (bash, zsh or fish) for serin and kubectl-serin; Canary names are ' +
      'completed from the cluster.',
    load: async () => (await import('./completion.ts')).registerCompletion,
  },
  {
    name: 'demo',
    description: 'Run serin end to end on this machine: a good release promoted, a bad one rolled back.',
    load: async () => (await import('./demo.ts')).registerDemo,
  },
];

/**
 * The verb `args` (argv without the node/script prefix) will run, if any. The root command's own
 * options (--help, --version) take no value, so the first word that is not an option is the verb;
 * `help <verb>` asks for that verb's help.
 */
export function selectedVerb(args: readonly string[]): VerbEntry | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return VERBS.find((verb) => verb.name === name);
}

/**
 * Builds the `serin` program for one invocation: the verb `args` selects is loaded and defined in
 * full; the others are listed by name and description only, which is all the root help needs.
 */
export async function buildProgram(ctx: CliContext, args: readonly string[]): Promise<Command> {
  const program = createProgram(ctx);
  const selected = selectedVerb(args);
  for (const verb of VERBS) {
    if (verb === selected) (await verb.load())(program, ctx);
    else program.command(verb.name).description(verb.description);
  }
  return program;
}
