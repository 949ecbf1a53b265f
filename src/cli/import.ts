import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { importObjects, type ImportInput, type ImportResult, type ObjectReport } from '../import/index.ts';
import type { CliContext } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { InputError, documentToJs, parseYamlStream, readInputText } from './input-files.ts';
import { isSerinDocument, lintDocuments, type LintProblem } from './lint-rules.ts';
import { usageExitCode } from './program.ts';

/** serin import's exit codes (the issue's: 3 is unreadable input, as no verdict is involved). */
export const IMPORT_EXIT = {
  lossless: EXIT.ok,
  losses: EXIT.problems,
  usage: EXIT.usage,
  unreadable: 3,
} as const;

const DESCRIPTION =
  'Convert Argo Rollouts (AnalysisTemplate, ClusterAnalysisTemplate, Rollout) and Flagger (Canary, MetricTemplate) ' +
  'objects into serin objects, and report every field kept, changed or dropped. See docs/migration.md.';

const HELP = `
Input: YAML streams (-f FILE, -f DIR searched for *.yaml/*.yml, -f - for stdin). Other objects
(Services, Deployments, VirtualServices) pass through unchanged unless --only-converted.
Output: a YAML stream on stdout (the report on stderr), or one file per object in --output-dir
(the report on stdout). Every serin object is linted like \`serin lint\` before it is written; one
that fails is withheld and its source reported as not converted.

Exit codes:
  0  every object converted without losses
  1  converted with losses: a field dropped or its meaning changed, or an object not converted
  2  usage error (bad flags, no input)
  3  unreadable input (missing file, YAML error, a file over the limits)`;

interface ImportFlags {
  file: string[];
  outputDir?: string;
  report: 'text' | 'json';
  onlyConverted?: boolean;
  prometheusAddress?: string;
}

class UsageError extends Error {
  readonly code = 'Usage';
}

function yamlFiles(path: string): string[] {
  if (path === '-') return ['-'];
  let directory: boolean;
  try {
    directory = statSync(path).isDirectory();
  } catch {
    throw new InputError(path, 'no such file or directory');
  }
  if (!directory) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const child = join(path, entry.name);
      if (entry.isDirectory()) return yamlFiles(child);
      return /\.ya?ml$/.test(entry.name) ? [child] : [];
    });
}

/** Every document of every file, parsed; a file that cannot be read or parsed is an InputError. */
function readInputs(paths: readonly string[]): ImportInput[] {
  return paths.flatMap(yamlFiles).flatMap((file) => {
    const text = file === '-' ? readStdin() : readInputText(file);
    return parseYamlStream(text, file).flatMap((document, index) => {
      const [error] = document.errors;
      if (error !== undefined)
        throw new InputError(file, `document ${index + 1}: YAML: ${error.message.split('\n')[0] ?? ''}`);
      const content = documentToJs(document, file, index);
      return content === null || content === undefined ? [] : [{ content, file, document: index + 1 }];
    });
  });
}

function readStdin(): string {
  try {
    return readInputText('/dev/stdin');
  } catch (err) {
    if (err instanceof InputError) throw new InputError('-', err.reason);
    throw err;
  }
}

/** serin's shipped templates, for Flagger's built-in metrics; found beside src/ and dist/ alike. */
function shippedTemplates(): unknown[] {
  const directory = fileURLToPath(new URL('../../analysis-templates/', import.meta.url));
  return yamlFiles(directory).flatMap((file) =>
    parseYamlStream(readInputText(file), file).map((document, index) => documentToJs(document, file, index)),
  );
}

const UNRESOLVED = /^(AnalysisTemplate|ClusterAnalysisTemplate) "(.+)" is not defined in the linted files$/;

/**
 * Lints the serin objects of the result together. A reference to a template this import did not
 * produce is kept (it may already be in the cluster) and noted; any other problem withholds the
 * objects of that input and reports it as not converted.
 */
function lintResult(result: ImportResult): ImportResult {
  const docs = result.objects
    .map((object, index) => ({ file: String(object.from), index, content: object.content }))
    .filter((doc) => isSerinDocument(doc.content));
  const problems = lintDocuments(docs);
  const notes = new Map<number, LintProblem[]>();
  const failed = new Map<number, LintProblem[]>();
  for (const problem of problems) {
    const from = Number(problem.file);
    const target = UNRESOLVED.test(problem.message) ? notes : failed;
    target.set(from, [...(target.get(from) ?? []), problem]);
  }
  const reports = result.reports.map((report, index): ObjectReport => {
    const bad = failed.get(index);
    const noted = (notes.get(index) ?? []).map((p) => ({
      outcome: 'kept' as const,
      path: '',
      message: `${p.kind ?? ''}/${p.name ?? ''} ${p.path} refers to ${p.message.replace(UNRESOLVED, '$1 "$2"')}, which this import did not produce: it must exist in the cluster`,
    }));
    if (bad === undefined) return { ...report, items: [...report.items, ...noted] };
    const lint = bad.map((p) => ({
      outcome: 'dropped' as const,
      path: '',
      message: `${p.kind ?? ''}/${p.name ?? ''} fails serin lint (${p.path}: ${p.message}); withheld`,
    }));
    return { ...report, outcome: 'not-converted', outputs: [], items: [...report.items, ...lint] };
  });
  return { objects: result.objects.filter((object) => !failed.has(object.from)), reports };
}

function formatReport(reports: readonly ObjectReport[]): string {
  const lines: string[] = [];
  for (const report of reports) {
    const { source } = report;
    const where =
      source.file === undefined
        ? ''
        : ` (${source.file}${source.document === undefined ? '' : `, document ${source.document}`})`;
    const outputs = report.outputs.length > 0 ? ` → ${report.outputs.join(', ')}` : '';
    lines.push(`${source.apiVersion} ${source.kind}/${source.name}${where}: ${report.outcome}${outputs}`);
    for (const item of report.items) {
      lines.push(`  ${item.outcome.padEnd(8)} ${item.path === '' ? '' : `${item.path}: `}${item.message}`);
    }
  }
  const count = (outcome: ObjectReport['outcome']) => reports.filter((r) => r.outcome === outcome).length;
  lines.push(
    `${reports.length} object(s): ${count('converted')} converted, ${count('lossy')} with losses, ${count('not-converted')} not converted, ${count('passed-through')} passed through, ${count('omitted')} omitted`,
  );
  return `${lines.join('\n')}\n`;
}

function fileName(content: Readonly<Record<string, unknown>>, taken: Set<string>): string {
  const metadata = (content.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const kind = typeof content.kind === 'string' ? content.kind.toLowerCase() : 'object';
  const name = typeof metadata.name === 'string' ? metadata.name : 'unnamed';
  const namespace = typeof metadata.namespace === 'string' ? `${metadata.namespace}.` : '';
  const base = `${namespace}${kind}-${name}`.replace(/[^A-Za-z0-9._-]/g, '_');
  let candidate = `${base}.yaml`;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}-${n}.yaml`;
  taken.add(candidate);
  return candidate;
}

function write(result: ImportResult, flags: ImportFlags, ctx: CliContext): void {
  const report =
    flags.report === 'json'
      ? `${JSON.stringify({ reports: result.reports }, null, 2)}\n`
      : formatReport(result.reports);
  if (flags.outputDir === undefined) {
    ctx.out(
      result.objects
        .map((object) => stringify(object.content, { aliasDuplicateObjects: false }))
        .join('---\n'),
    );
    ctx.err(report);
    return;
  }
  const taken = new Set<string>();
  let target = flags.outputDir;
  try {
    mkdirSync(flags.outputDir, { recursive: true });
    for (const object of result.objects) {
      target = join(flags.outputDir, fileName(object.content, taken));
      writeFileSync(target, stringify(object.content, { aliasDuplicateObjects: false }));
    }
  } catch (err) {
    // A full disk or a read-only folder is the output's problem, said in one line, not a bug.
    const code = err instanceof Error && 'code' in err ? String(err.code) : String(err);
    throw new InputError(target, `cannot write (${code})`);
  }
  ctx.out(report);
}

function run(flags: ImportFlags, ctx: CliContext): void {
  if (flags.file.length === 0) throw new UsageError('no input: give -f FILE, -f DIR or -f - (stdin)');
  let inputs: ImportInput[];
  let shipped: unknown[];
  try {
    inputs = readInputs(flags.file);
    shipped = shippedTemplates();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    ctx.err(`serin import: ${err.message}\n`);
    ctx.exit(IMPORT_EXIT.unreadable);
    return;
  }
  const result = lintResult(
    importObjects(inputs, {
      shippedTemplates: shipped,
      prometheusAddress: flags.prometheusAddress,
      onlyConverted: flags.onlyConverted === true,
    }),
  );
  write(result, flags, ctx);
  const lossless = result.reports.every((r) => r.outcome !== 'lossy' && r.outcome !== 'not-converted');
  ctx.exit(lossless ? IMPORT_EXIT.lossless : IMPORT_EXIT.losses);
}

/** `serin import -f FILE|DIR|- … [--output-dir DIR] [--report text|json] [--only-converted]` */
export function registerImport(program: Command, ctx: CliContext): void {
  const command = program
    .command('import')
    .description(DESCRIPTION)
    .option(
      '-f, --file <path>',
      'YAML file, directory or - for stdin (repeatable)',
      (value: string, all: string[]) => [...all, value],
      [],
    )
    .option('--output-dir <dir>', 'write one file per object here instead of a YAML stream on stdout')
    .addOption(new Option('--report <format>', 'report format').choices(['text', 'json']).default('text'))
    .option('--only-converted', 'leave out objects that are not Argo Rollouts or Flagger objects')
    .option(
      '--prometheus-address <url>',
      'Prometheus for metrics whose address came from the controller (Argo: ARGO_ROLLOUTS_PROMETHEUS_ADDRESS, Flagger: --metrics-server)',
    )
    .addHelpText('after', HELP)
    .action((flags: ImportFlags) => {
      try {
        run(flags, ctx);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        ctx.err(`serin import: ${err.message}\n`);
        ctx.exit(IMPORT_EXIT.usage);
      }
    });
  usageExitCode(command, IMPORT_EXIT.usage);
}
