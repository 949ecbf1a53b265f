import { Option, type Command } from 'commander';
import {
  judgeMetric,
  JUDGE_DEFAULTS,
  type Classification,
  type JudgeOptions,
  type JudgeResult,
} from '../judge/index.ts';
import type { CliContext } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { parseSamples } from './judge-input.ts';
import { InputError, inputLimits, readInputText } from './input-files.ts';
import { usageExitCode } from './program.ts';

interface JudgeFlags {
  baseline?: string;
  canary?: string;
  direction: string;
  confidence: string;
  minSamples: string;
  method: string;
  tolerance: string;
  allowedIncrease?: string;
  allowedDecrease?: string;
  effectSize: string;
  removeOutliers?: boolean;
  column?: string;
  output: string;
}

/** Bad flags or unreadable input: reported with exit code 4. */
class UsageError extends Error {
  readonly code = 'Usage';
}

const EXIT_FOR: Record<Classification, number> = {
  Pass: EXIT.ok,
  High: EXIT.problems,
  Low: EXIT.problems,
  NoData: EXIT.usage,
  // Only reachable through options, which the CLI checks first.
  Error: EXIT.invalidInput,
};

function choice<const T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined)
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}"`);
  return found;
}

function number(flag: string, value: string | undefined, check: (n: number) => boolean, rule: string) {
  if (value === undefined) return undefined;
  const parsed = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value.trim()) ? Number(value) : NaN;
  if (!check(parsed)) throw new UsageError(`${flag} must be ${rule}; got "${value}"`);
  return parsed;
}

/** Turns the flags into judge options, or throws a UsageError naming the bad flag. */
export function judgeOptionsFromFlags(flags: JudgeFlags): JudgeOptions {
  return {
    direction: choice('--direction', flags.direction, ['increase', 'decrease', 'either']),
    method: choice('--method', flags.method, ['auto', 'exact', 'asymptotic']),
    confidence: number('--confidence', flags.confidence, (n) => n > 0 && n < 1, 'a number in (0, 1)'),
    minSamples: number(
      '--min-samples',
      flags.minSamples,
      (n) => Number.isInteger(n) && n >= 1,
      'an integer >= 1',
    ),
    tolerance: number('--tolerance', flags.tolerance, (n) => n >= 0, 'a number >= 0'),
    allowedIncrease: number('--allowed-increase', flags.allowedIncrease, (n) => n >= 0, 'a number >= 0'),
    allowedDecrease: number('--allowed-decrease', flags.allowedDecrease, (n) => n >= 0, 'a number >= 0'),
    effectSize: choice('--effect-size', flags.effectSize, ['meanRatio', 'cles']),
    removeOutliers: flags.removeOutliers === true,
  };
}

function readSample(flag: string, file: string | undefined, column: string | undefined): number[] {
  if (file === undefined) throw new UsageError(`${flag} <file> is required`);
  let text: string;
  try {
    text = readInputText(file);
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    throw err;
  }
  const read = parseSamples(text, file, column, inputLimits().maxSampleLines);
  if (!read.ok) throw new UsageError(read.message);
  return read.values;
}

const show = (v: number | undefined): string => (v === undefined ? '-' : String(Number(v.toPrecision(6))));

/** The human-readable report: one `label  value` line per statistic. */
export function formatJudgeTable(result: JudgeResult): string {
  const rows: [string, string][] = [
    ['classification', result.classification],
    ['reason', result.reason],
    ['method', result.method],
    ['n', `baseline ${result.n.baseline}, canary ${result.n.canary}`],
  ];
  const removed = result.removed;
  if (
    removed.nonFinite.baseline +
    removed.nonFinite.canary +
    removed.outliers.baseline +
    removed.outliers.canary
  ) {
    rows.push([
      'removed',
      `non-finite ${removed.nonFinite.baseline}/${removed.nonFinite.canary}, outliers ${removed.outliers.baseline}/${removed.outliers.canary} (baseline/canary)`,
    ]);
  }
  if (result.pValue !== undefined) {
    rows.push(
      ['U', show(result.u)],
      ['p-value', result.pValue.toPrecision(4)],
      ['shift (HL)', `${show(result.estimate)} (canary - baseline)`],
      [`${show((result.confidence ?? 0) * 100)}% CI`, `[${show(result.ci?.[0])}, ${show(result.ci?.[1])}]`],
      ['tolerance band', `[${show(result.band?.[0])}, ${show(result.band?.[1])}]`],
      ['median', `baseline ${show(result.median?.baseline)}, canary ${show(result.median?.canary)}`],
      ['mean ratio', result.effectSize?.meanRatio == null ? '-' : show(result.effectSize.meanRatio)],
      ['CLES', show(result.effectSize?.cles)],
    );
  }
  for (const warning of result.warnings) rows.push(['warning', warning]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}\n`).join('');
}

function run(command: Command, flags: JudgeFlags, ctx: CliContext): void {
  const unknown = command.args.filter((arg) => arg.startsWith('-'));
  if (command.args.length > 0) {
    const what =
      unknown.length > 0
        ? `unknown option ${unknown[0] ?? ''}`
        : `unexpected argument ${command.args[0] ?? ''}`;
    throw new UsageError(what);
  }
  const format = choice('--output', flags.output, ['table', 'json']);
  const options = judgeOptionsFromFlags(flags);
  const baseline = readSample('--baseline', flags.baseline, flags.column);
  const canary = readSample('--canary', flags.canary, flags.column);
  const result = judgeMetric(baseline, canary, options);
  if (format === 'json') ctx.out(`${JSON.stringify(result, null, 2)}\n`);
  else ctx.out(formatJudgeTable(result));
  ctx.exit(EXIT_FOR[result.classification]);
}

/** `serin judge`: runs the statistical judge on two samples read from files. */
export function registerJudge(program: Command, ctx: CliContext): void {
  const d = JUDGE_DEFAULTS;
  const command = program.command('judge');
  usageExitCode(command, EXIT.invalidInput);
  command
    .description(
      'Judge a canary sample against a baseline sample (Mann-Whitney U, Hodges-Lehmann shift, tolerance band).\n' +
        'Files hold one number per line, or CSV with a header (--column). See docs/judge.md.\n' +
        'Exit codes: 0 Pass, 1 High or Low, 2 NoData, 4 usage or unreadable input.',
    )
    .option('--baseline <file>', 'baseline sample')
    .option('--canary <file>', 'canary sample')
    .option('--direction <dir>', 'which change is bad: increase, decrease or either', d.direction)
    .option('--confidence <level>', 'confidence level of the interval for the shift', String(d.confidence))
    .option('--min-samples <n>', 'points needed per side; fewer gives NoData', String(d.minSamples))
    .option('--method <method>', 'auto, exact or asymptotic', d.method)
    .option(
      '--tolerance <fraction>',
      'tolerance band: ± this fraction of the baseline median',
      String(d.tolerance),
    )
    .option('--allowed-increase <x>', 'effect size that must be exceeded before High')
    .option('--allowed-decrease <x>', 'effect size that must be undercut before Low')
    .option('--effect-size <measure>', 'meanRatio or cles, for the allowed-* gates', d.effectSize)
    .option('--remove-outliers', 'drop points outside 1.5 IQR of the quartiles, per side')
    .option('--column <name>', 'read CSV input and take this column')
    .addOption(new Option('-o, --output <format>', 'table or json').default('table'))
    // Bad flags must exit 4 (exit 2 means NoData here), so this verb checks them itself.
    .allowUnknownOption()
    .allowExcessArguments()
    .action(function (this: Command, flags: JudgeFlags) {
      try {
        run(this, flags, ctx);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        ctx.err(`serin judge: ${err.message}\n`);
        ctx.exit(EXIT.invalidInput);
      }
    });
}
