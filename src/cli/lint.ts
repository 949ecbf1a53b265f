import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { LineCounter, stringify, type Document } from 'yaml';
import type { CliContext } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { InputError, documentToJs, parseYamlStream, readInputText } from './input-files.ts';
import { isSerinDocument, lintDocuments, type LintDocument, type LintProblem } from './lint-rules.ts';
import { isNotificationsConfigMap, lintNotifications } from './lint-notifications.ts';
import { outputOption } from './program.ts';

type Located = LintProblem & { line?: number };

interface LoadedFile {
  readonly docs: LintDocument[];
  readonly problems: Located[];
  /** Finds the line of a field path in a document, for messages. */
  readonly lineOf: (index: number, path: string) => number | undefined;
}

class UsageError extends Error {
  readonly code = 'Usage';
}

/** Expands files and directories (recursively) into the YAML files to lint, in a stable order. */
export function collectYamlFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      throw new UsageError(`${path}: no such file or directory`);
    }
    if (stats.isDirectory()) {
      const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
      const nested = entries
        .filter((e) => e.isDirectory() || /\.ya?ml$/.test(e.name))
        .map((e) => join(path, e.name));
      files.push(...collectYamlFiles(nested));
    } else {
      files.push(path);
    }
  }
  return files;
}

function segmentsOf(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) =>
    m[2] !== undefined ? Number(m[2]) : (m[1] ?? ''),
  );
}

/** A file that cannot be read at all is one problem of that file; the other files are still linted. */
function unreadable(file: string, err: InputError): LoadedFile {
  return {
    docs: [],
    problems: [{ file, document: 0, path: '', message: err.reason }],
    lineOf: () => undefined,
  };
}

function loadFile(file: string): LoadedFile {
  const lineCounter = new LineCounter();
  let parsed: Document.Parsed[];
  try {
    parsed = parseYamlStream(readInputText(file), file, { lineCounter });
  } catch (err) {
    if (err instanceof InputError) return unreadable(file, err);
    throw err;
  }
  const docs: LintDocument[] = [];
  const problems: Located[] = [];
  parsed.forEach((document, index) => {
    for (const error of document.errors) {
      const message = `YAML: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`;
      const line = error.linePos?.[0].line;
      problems.push({ file, document: index, path: '', message, ...(line === undefined ? {} : { line }) });
    }
    if (document.errors.length > 0) return;
    let content: unknown;
    try {
      content = documentToJs(document, file, index);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push({ file, document: index, path: '', message: err.reason.replace(/^document \d+: /, '') });
      return;
    }
    if (content !== null && content !== undefined) docs.push({ file, index, content });
  });
  const lineOf = (index: number, path: string): number | undefined => {
    const document = parsed[index];
    if (!document) return undefined;
    const segments = segmentsOf(path);
    // Walk up the path until a node exists: a missing field is reported at its parent.
    for (let depth = segments.length; depth >= 0; depth--) {
      const node = document.getIn(segments.slice(0, depth), true) as
        { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { docs, problems, lineOf };
}

interface LintOutcome {
  readonly files: string[];
  readonly documents: number;
  readonly problems: Located[];
}

/** Lints files and directories; throws UsageError for paths that do not exist. */
export function lintPaths(paths: readonly string[]): LintOutcome {
  const files = collectYamlFiles(paths);
  if (files.length === 0) throw new UsageError(`no YAML files found in ${paths.join(', ')}`);
  const loaded = new Map(files.map((file) => [file, loadFile(file)]));
  const docs = [...loaded.values()]
    .flatMap((file) => file.docs)
    .filter((doc) => isSerinDocument(doc.content) || isNotificationsConfigMap(doc.content));
  const notifications = lintNotifications([...loaded.values()].flatMap((file) => file.docs));
  const problems = [
    ...[...loaded.values()].flatMap((file) => file.problems),
    ...lintDocuments(docs),
    ...notifications,
  ].map((problem: Located) => {
    if (problem.line !== undefined) return problem;
    const line = loaded.get(problem.file)?.lineOf(problem.document, problem.path);
    return line === undefined ? problem : { ...problem, line };
  });
  return { files, documents: docs.length, problems };
}

function formatProblem(problem: LintOutcome['problems'][number]): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  // A name is at most 63 characters when valid: a longer one is shown cut, not echoed whole.
  const name = problem.name ?? '';
  const shown = name.length > 63 ? `${name.slice(0, 63)}…` : name;
  const what = problem.kind ? ` ${problem.kind}/${shown}` : '';
  const field = problem.path === '' ? '' : `${problem.path}: `;
  return `${where} [document ${problem.document + 1}]${what} ${field}${problem.message}`;
}

/** `serin lint <file|dir>…` */
export function registerLint(program: Command, ctx: CliContext): void {
  program
    .command('lint')
    .description(
      'Validate Canary, AnalysisTemplate, ClusterAnalysisTemplate and Approval YAML: schema, PromQL syntax, ' +
        'CEL conditions, undeclared placeholders and template references.',
    )
    .argument('<paths...>', 'YAML files or directories (searched recursively for *.yaml / *.yml)')
    .addOption(outputOption())
    .addHelpText(
      'after',
      '\nExit codes:\n  0  every document is valid\n  1  problems found (all are listed)\n  2  usage error (bad flags, missing paths)',
    )
    .action((paths: string[], options: { output: string }) => {
      let outcome: LintOutcome;
      try {
        outcome = lintPaths(paths);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        ctx.err(`serin lint: ${err.message}\n`);
        ctx.exit(EXIT.usage);
        return;
      }
      const { problems, files, documents } = outcome;
      if (options.output === 'json') ctx.out(`${JSON.stringify({ files, documents, problems }, null, 2)}\n`);
      else if (options.output === 'yaml') ctx.out(stringify({ files, documents, problems }));
      else {
        for (const problem of problems) ctx.out(`${formatProblem(problem)}\n`);
        const summary = problems.length === 0 ? 'all valid' : `${problems.length} problem(s)`;
        ctx.out(`${documents} document(s) in ${files.length} file(s): ${summary}\n`);
      }
      ctx.exit(problems.length === 0 ? EXIT.ok : EXIT.problems);
    });
}
