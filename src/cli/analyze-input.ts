import { existsSync, readFileSync, statSync } from 'node:fs';
import { InputError, documentToJs, parseYamlStream, readInputText } from './input-files.ts';
import { Duration, durationToMs, parseKind } from '../api/index.ts';
import type { AnalysisArg, AnalysisTemplateSpec, Metric, PrometheusConnection } from '../api/index.ts';
import type { SecretReader } from '../ports/index.ts';
import { collectYamlFiles, lintPaths } from './lint.ts';

/** Reading `serin analyze`'s inputs: templates, args, times. Problems are strings for exit code 4. */

export type Loaded<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** A template chosen for analysis, with where it came from. */
export interface ChosenTemplate {
  readonly name: string;
  readonly file: string;
  readonly spec: AnalysisTemplateSpec;
}

interface Candidate {
  readonly file: string;
  readonly index: number;
  readonly name: string;
  readonly content: unknown;
}

function candidatesIn(files: readonly string[]): Candidate[] {
  const found: Candidate[] = [];
  for (const file of files) {
    parseYamlStream(readInputText(file), file).forEach((document, index) => {
      if (document.errors.length > 0) return;
      const content = documentToJs(document, file, index) as {
        kind?: unknown;
        metadata?: { name?: unknown };
      } | null;
      if (content?.kind !== 'AnalysisTemplate' && content?.kind !== 'ClusterAnalysisTemplate') return;
      const name = typeof content.metadata?.name === 'string' ? content.metadata.name : '';
      found.push({ file, index, name, content });
    });
  }
  return found;
}

function pick(template: string, files: readonly string[]): Loaded<Candidate> {
  const isFile = existsSync(template) && statSync(template).isFile();
  const candidates = candidatesIn(isFile ? [template] : files);
  if (isFile) {
    const [only, ...rest] = candidates;
    if (only === undefined) return { ok: false, errors: [`${template}: no AnalysisTemplate in this file`] };
    if (rest.length > 0) {
      return {
        ok: false,
        errors: [
          `${template}: ${candidates.length} templates in this file; pass --template <name> --file ${template}`,
        ],
      };
    }
    return { ok: true, value: only };
  }
  if (files.length === 0) {
    return {
      ok: false,
      errors: [`${template}: no such file; to pick a template by name, also pass --file <file|dir>`],
    };
  }
  const named = candidates.find((c) => c.name === template);
  if (named === undefined) {
    const known = candidates.map((c) => c.name).join(', ') || 'none';
    return {
      ok: false,
      errors: [`no AnalysisTemplate named "${template}" in ${files.join(', ')} (found: ${known})`],
    };
  }
  return { ok: true, value: named };
}

/**
 * Finds the template (a file holding one template, or a name among `--file` paths), lints it with
 * `serin lint`'s rules and parses it. Never throws for bad input.
 */
export function loadTemplate(template: string, filePaths: readonly string[]): Loaded<ChosenTemplate> {
  let files: string[];
  try {
    files = collectYamlFiles(filePaths);
  } catch (err) {
    return { ok: false, errors: [err instanceof Error ? err.message : String(err)] };
  }
  let chosen: Loaded<Candidate>;
  try {
    chosen = pick(template, files);
  } catch (err) {
    if (err instanceof InputError) return { ok: false, errors: [err.message] };
    throw err;
  }
  if (!chosen.ok) return chosen;
  const { file, index, name, content } = chosen.value;
  const problems = lintPaths([file]).problems.filter(
    (p) => p.document === index && (p.name === undefined || p.name === name),
  );
  if (problems.length > 0) {
    return {
      ok: false,
      errors: problems.map(
        (p) => `${file}:${p.line ?? '?'} ${p.path === '' ? '' : `${p.path}: `}${p.message}`,
      ),
    };
  }
  const kind = (content as { kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate' }).kind;
  const parsed = parseKind(kind, content);
  if (!parsed.ok) return { ok: false, errors: parsed.issues.map((i) => `${file} ${i.path}: ${i.message}`) };
  return { ok: true, value: { name, file, spec: parsed.value.spec } };
}

/** Parses repeated `--arg key=value`; keys starting with `canary.` set built-in args. */
export function parseArgs(
  pairs: readonly string[],
): Loaded<{ args: AnalysisArg[]; builtins: Record<string, string> }> {
  const args: AnalysisArg[] = [];
  const builtins: Record<string, string> = {};
  const errors: string[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      errors.push(`--arg ${pair}: expected key=value`);
      continue;
    }
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key.startsWith('canary.')) builtins[key] = value;
    else args.push({ name: key.startsWith('args.') ? key.slice('args.'.length) : key, value });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { args, builtins } };
}

const RELATIVE = /^(?:now)?-((?:\d+(?:ms|s|m|h))+)$/;

/** Parses `now`, `now-1h` / `-1h`, an RFC 3339 time or Unix seconds, to epoch ms. */
export function parseTime(text: string, now: number): number | undefined {
  const trimmed = text.trim();
  if (trimmed === 'now') return now;
  const relative = RELATIVE.exec(trimmed);
  if (relative?.[1] !== undefined) return now - durationToMs(relative[1]);
  if (/^\d{9,11}(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return undefined;
  const parsed = Date.parse(trimmed);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Parses a `--step` duration to ms. */
export function parseStep(text: string): number | undefined {
  return Duration.safeParse(text).success && durationToMs(text) > 0 ? durationToMs(text) : undefined;
}

const CLI_TOKEN_REF = { name: 'serin-analyze-bearer-token-file', key: 'token' } as const;

function overrideConnection<T extends PrometheusConnection>(
  connection: T,
  address: string | undefined,
  tokenFile: boolean,
): T {
  return {
    ...connection,
    ...(address === undefined ? {} : { address }),
    ...(tokenFile ? { bearerTokenSecretRef: CLI_TOKEN_REF } : {}),
  };
}

function overrideMetric(metric: Metric, address: string | undefined, tokenFile: boolean): Metric {
  if ('prometheus' in metric.provider) {
    return {
      ...metric,
      provider: { prometheus: overrideConnection(metric.provider.prometheus, address, tokenFile) },
    };
  }
  // --prometheus and --bearer-token-file are about Prometheus: a web metric keeps its own URL.
  if (!('judge' in metric.provider)) return metric;
  const judge = metric.provider.judge;
  return {
    ...metric,
    provider: { judge: { ...judge, prometheus: overrideConnection(judge.prometheus, address, tokenFile) } },
  };
}

/** Applies `--prometheus` and `--bearer-token-file` to every metric's connection. */
export function overrideConnections(
  spec: AnalysisTemplateSpec,
  address: string | undefined,
  tokenFile: boolean,
): AnalysisTemplateSpec {
  return { ...spec, metrics: spec.metrics.map((m) => overrideMetric(m, address, tokenFile)) };
}

/**
 * The CLI cannot read Kubernetes Secrets: it serves the `--bearer-token-file` token, and says so
 * for any other Secret (pass Secret-backed args with --arg instead).
 */
export function cliSecretReader(tokenFile: string | undefined): SecretReader {
  return {
    read: (ref) => {
      if (tokenFile !== undefined && ref.name === CLI_TOKEN_REF.name && ref.key === CLI_TOKEN_REF.key) {
        try {
          return Promise.resolve({ ok: true, value: readFileSync(tokenFile, 'utf8').trim() });
        } catch {
          return Promise.resolve({ ok: false, error: `cannot read --bearer-token-file ${tokenFile}` });
        }
      }
      return Promise.resolve({
        ok: false,
        error: `serin analyze cannot read Kubernetes Secret ${ref.name}; pass --bearer-token-file or --arg`,
      });
    },
  };
}
