import type { Command } from 'commander';
import { Option } from 'commander';
import { referencedTemplates, templateRefKey } from '../analysis/index.ts';
import { parseKind, type AnalysisTemplateSpec, type Canary } from '../api/index.ts';
import { systemClock, type Clock, type MetricProvider } from '../ports/index.ts';
import { createJudgeRunner } from '../providers/judge/index.ts';
import { createPrometheusProvider } from '../providers/prometheus/index.ts';
import { cachedProvider } from '../tune/cached-provider.ts';
import {
  offsetText,
  replay,
  type ReplayResult,
  type ScriptedApproval,
  type TimelineEntry,
} from '../tune/replay.ts';
import { cliSecretReader, overrideConnections, parseStep, parseTime } from './analyze-input.ts';
import type { CliContext } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { InputError, documentToJs, parseYamlStream, readInputText } from './input-files.ts';
import { collectYamlFiles } from './lint.ts';
import { usageExitCode } from './program.ts';

interface ReplayOptions {
  canary?: string;
  templates: string[];
  prometheus?: string;
  bearerTokenFile?: string;
  start?: string;
  for: string;
  approveAt: string[];
  speed: string;
  qps: string;
  output: string;
}

export interface ReplayDeps {
  readonly clock: Clock;
  readonly provider?: MetricProvider;
}

export const REPLAY_DESCRIPTION =
  'Replay a Canary against the past: the state machine and the analyses run on a virtual clock from --start, ' +
  'every query evaluated at its virtual time, and the timeline the controller would have produced is printed.';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

type Loaded<T> = { ok: true; value: T } | { ok: false; errors: string[] };

function documentsOf(
  files: readonly string[],
): { file: string; content: { kind?: unknown; metadata?: { name?: unknown } } }[] {
  return files.flatMap((file) =>
    parseYamlStream(readInputText(file), file).flatMap((doc, index) =>
      doc.errors.length > 0 ? [] : [{ file, content: documentToJs(doc, file, index) as { kind?: unknown } }],
    ),
  );
}

function loadInputs(
  options: ReplayOptions,
): Loaded<{ canary: Canary; templates: Map<string, AnalysisTemplateSpec | undefined> }> {
  if (options.canary === undefined) return { ok: false, errors: ['--canary <file> is required'] };
  try {
    const docs = documentsOf([options.canary]).filter((d) => d.content.kind === 'Canary');
    const [first] = docs;
    if (first === undefined) return { ok: false, errors: [`${options.canary}: no Canary in this file`] };
    const parsed = parseKind('Canary', first.content);
    if (!parsed.ok)
      return {
        ok: false,
        errors: parsed.issues.map((i) => `${options.canary ?? ''} ${i.path}: ${i.message}`),
      };
    const canary = parsed.value;
    const templates = new Map<string, AnalysisTemplateSpec | undefined>();
    for (const doc of documentsOf(collectYamlFiles(options.templates))) {
      const kind = doc.content.kind;
      if (kind !== 'AnalysisTemplate' && kind !== 'ClusterAnalysisTemplate') continue;
      const template = parseKind(kind, doc.content);
      if (!template.ok)
        return { ok: false, errors: template.issues.map((i) => `${doc.file} ${i.path}: ${i.message}`) };
      const name = template.value.metadata.name;
      const key = kind === 'AnalysisTemplate' ? `templateName/${name}` : `clusterTemplateName/${name}`;
      templates.set(
        key,
        overrideConnections(template.value.spec, options.prometheus, options.bearerTokenFile !== undefined),
      );
    }
    const missing = referencedTemplates(canary)
      .map(templateRefKey)
      .filter((k) => !templates.has(k));
    if (missing.length > 0)
      return { ok: false, errors: [`templates not found in --templates: ${missing.join(', ')}`] };
    return { ok: true, value: { canary, templates } };
  } catch (err) {
    if (err instanceof InputError) return { ok: false, errors: [err.message] };
    throw err;
  }
}

/** `step=4,after=10m` (step 1-based, as the timeline prints it). */
export function parseApproval(text: string): ScriptedApproval | undefined {
  const fields = new Map(
    text.split(',').map((part) => part.split('=', 2).map((s) => s.trim()) as [string, string]),
  );
  const step = Number(fields.get('step'));
  const after = fields.get('after') ?? '0s';
  const afterMs = after === '0' || after === '0s' ? 0 : parseStep(after);
  if (!Number.isInteger(step) || step < 1 || afterMs === undefined) return undefined;
  return { step, afterMs };
}

function line(entry: TimelineEntry, start: number): string {
  return `${new Date(entry.at).toISOString()}  ${offsetText(entry.at - start).padStart(9)}  ${entry.text}`;
}

function summary(result: ReplayResult, start: number): string {
  const when = `${new Date(result.at).toISOString()} (${offsetText(result.at - start)} after --start)`;
  const zero =
    result.weightZeroAt === undefined
      ? ''
      : `\nThe canary would have been back at weight 0 at ${new Date(result.weightZeroAt).toISOString()} (${offsetText(result.weightZeroAt - start)}).`;
  switch (result.outcome) {
    case 'Succeeded':
      return `Outcome: promoted at ${when}.`;
    case 'Aborted':
    case 'Failed':
      return `Outcome: ${result.outcome} at step ${result.step ?? '?'} at ${when}: ${result.message}${zero}`;
    case 'Paused':
      return `Outcome: paused at step ${result.step ?? '?'} at ${when}: ${result.message} (script it with --approve-at step=${result.step ?? 'N'},after=<duration>)`;
    case 'Unfinished':
      return `Outcome: unfinished at ${when}: ${result.message}`;
  }
}

const EXIT_OF: Record<ReplayResult['outcome'], number> = {
  Succeeded: 0,
  Aborted: 1,
  Failed: 1,
  Paused: 2,
  Unfinished: 2,
};

interface ReplayFlags {
  readonly start: number;
  readonly forMs: number;
  readonly approvals: readonly ScriptedApproval[];
  readonly speed: number;
}

/** The time, duration, approval and speed flags, or every one that does not parse. */
function parseFlags(options: ReplayOptions, now: number): { flags?: ReplayFlags; errors: string[] } {
  const errors: string[] = [];
  const start = options.start === undefined ? undefined : parseTime(options.start, now);
  if (start === undefined)
    errors.push(`--start ${options.start ?? ''}: expected an RFC 3339 time or Unix seconds`);
  const forMs = parseStep(options.for);
  if (forMs === undefined) errors.push(`--for ${options.for}: expected a duration such as 6h`);
  const approvals: ScriptedApproval[] = [];
  for (const text of options.approveAt) {
    const parsed = parseApproval(text);
    if (parsed === undefined) errors.push(`--approve-at ${text}: expected step=<n>,after=<duration>`);
    else approvals.push(parsed);
  }
  const speed = options.speed === 'max' ? Infinity : Number(options.speed);
  if (!(speed > 0)) errors.push(`--speed ${options.speed}: expected max or a factor such as 60`);
  if (errors.length > 0 || start === undefined || forMs === undefined) return { errors };
  return { flags: { start, forMs, approvals, speed }, errors };
}

async function run(options: ReplayOptions, ctx: CliContext, deps: ReplayDeps): Promise<void> {
  const { flags, errors } = parseFlags(options, deps.clock.now());
  const inputs = loadInputs(options);
  if (!inputs.ok) errors.push(...inputs.errors);
  if (errors.length > 0 || !inputs.ok || flags === undefined) {
    for (const error of errors) ctx.err(`serin replay: ${error}\n`);
    ctx.exit(EXIT.invalidInput);
    return;
  }
  const { start, forMs, approvals, speed } = flags;
  const secrets = cliSecretReader(options.bearerTokenFile);
  const provider = cachedProvider(deps.provider ?? createPrometheusProvider({ secrets }), {
    qps: Number(options.qps) > 0 ? Number(options.qps) : 20,
    now: () => deps.clock.now(),
    sleep: (ms) => deps.clock.sleep(ms),
  });
  const json = options.output === 'json';
  const header = [
    `serin replay: Canary ${inputs.value.canary.metadata.name} from ${new Date(start).toISOString()} (a new revision rolled out at that instant)`,
    'Replay cannot change the past: traffic weights are only recorded, and the queries read the traffic that really flowed then.',
    'The canary and the promoted primary are taken as ready at once.',
    '',
  ].join('\n');
  if (!json) ctx.out(`${header}\n`);
  const result = await replay({
    canary: inputs.value.canary,
    templates: inputs.value.templates,
    provider,
    secrets,
    // The controller's judge (assemble.ts), reading through the same cache and rate limit.
    judge: createJudgeRunner({ provider, now: () => deps.clock.now() }),
    start,
    end: start + forMs,
    approvals,
    onEntry: (entry) => {
      if (!json && entry.kind !== 'outcome') ctx.out(`${line(entry, start)}\n`);
    },
    ...(Number.isFinite(speed)
      ? { beforePass: (from: number, to: number) => deps.clock.sleep((to - from) / speed) }
      : {}),
  });
  const code = EXIT_OF[result.outcome];
  if (json) {
    ctx.out(
      `${JSON.stringify({ canary: inputs.value.canary.metadata.name, start: new Date(start).toISOString(), weightsRecordedOnly: true, queries: provider.stats, ...result, exitCode: code }, null, 2)}\n`,
    );
  } else {
    ctx.out(
      `\n${summary(result, start)}\nQueries: ${provider.stats.issued} sent, ${provider.stats.reused} answered from memory${provider.stats.failed > 0 ? `, ${provider.stats.failed} failed` : ''}.\n`,
    );
  }
  ctx.exit(code);
}

/** `serin replay`: a Canary against the past. */
export function registerReplay(
  program: Command,
  ctx: CliContext,
  deps: ReplayDeps = { clock: systemClock },
): void {
  const command = program.command('replay');
  usageExitCode(command, EXIT.invalidInput);
  command
    .description(REPLAY_DESCRIPTION)
    .option('-c, --canary <file>', 'the Canary YAML')
    .option(
      '--templates <path>',
      'file or directory of the AnalysisTemplates it references (repeatable)',
      collect,
      [],
    )
    .option('--prometheus <url>', "override every metric's Prometheus address")
    .option('--bearer-token-file <file>', 'send the token in this file as a bearer token')
    .option(
      '--start <time>',
      'when the new revision would have started rolling out (RFC 3339 or Unix seconds)',
    )
    .option('--for <duration>', 'give up after this much virtual time', '24h')
    .option(
      '--approve-at <step=N,after=D>',
      'approve (Promote) step N once it has waited D (repeatable)',
      collect,
      [],
    )
    .option(
      '--speed <max|factor>',
      'max: as fast as queries go; a factor such as 60 paces virtual time',
      'max',
    )
    .option('--qps <n>', 'queries per second to Prometheus at most', '20')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .addHelpText(
      'after',
      '\nExit codes:\n  0  promoted\n  1  aborted or failed (the release would have been stopped)\n' +
        '  2  paused (waiting for an approval) or unfinished within --for\n  4  usage or invalid input\n\nSee docs/tuning.md.',
    )
    .action(async (options: ReplayOptions) => {
      await run(options, ctx, deps);
    });
}
