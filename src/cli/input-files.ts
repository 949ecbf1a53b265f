import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { TextDecoder } from 'node:util';
import { parseAllDocuments, type Document, type LineCounter } from 'yaml';

/**
 * Reading files the CLI is pointed at: from CI pipelines, pull requests and copy-paste, so hostile
 * or broken input is normal. Every reader goes through here, and every way a file can be wrong
 * ends as an {@link InputError} that names the file, never as an exception from a library.
 */

/** Limits on what one file may hold. */
export interface InputLimits {
  /** Bytes per file (16 MiB; `SERIN_MAX_FILE_BYTES` overrides). */
  readonly maxFileBytes: number;
  /** YAML documents per file. */
  readonly maxDocuments: number;
  /** Nesting of maps and lists in one document. */
  readonly maxDepth: number;
  /** YAML aliases resolved per document (the `yaml` library's own guard against alias bombs). */
  readonly maxAliasCount: number;
  /** Sample lines per `judge` input file. */
  readonly maxSampleLines: number;
}

const MiB = 1024 * 1024;

/** The limits in force: the defaults, with `SERIN_MAX_FILE_BYTES` read when a file is read. */
export function inputLimits(env: NodeJS.ProcessEnv = process.env): InputLimits {
  const override = Number(env.SERIN_MAX_FILE_BYTES);
  return {
    maxFileBytes: Number.isInteger(override) && override > 0 ? override : 16 * MiB,
    maxDocuments: 1_000,
    maxDepth: 64,
    maxAliasCount: 100,
    maxSampleLines: 1_000_000,
  };
}

/** A file that cannot be used as input: what is wrong, in words for the person who passed it. */
export class InputError extends Error {
  readonly code = 'InvalidInput';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'InputError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function describeFsError(err: unknown): string {
  const code = err instanceof Error && 'code' in err ? String(err.code) : '';
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return `cannot read (${code === '' ? String(err) : code})`;
  }
}

/**
 * A file's text: at most `maxFileBytes`, UTF-8 without NUL bytes (else "binary file"), without a
 * byte order mark. Throws {@link InputError}.
 */
export function readInputText(file: string, limits: InputLimits = inputLimits()): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new InputError(file, describeFsError(err));
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new InputError(file, 'is a directory, not a file');
    // Read until the end or one byte past the limit, whatever the size says: pipes, FIFOs and
    // /proc files report 0, and a file may grow while it is read.
    let buffer = Buffer.alloc(Math.min(limits.maxFileBytes + 1, Math.max(stats.size + 1, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > limits.maxFileBytes) break;
        const grown = Buffer.alloc(Math.min(limits.maxFileBytes + 1, buffer.length * 2));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > limits.maxFileBytes) {
      throw new InputError(
        file,
        `larger than ${formatBytes(limits.maxFileBytes)} (the limit; SERIN_MAX_FILE_BYTES raises it)`,
      );
    }
    const bytes = buffer.subarray(0, length);
    if (bytes.includes(0)) throw new InputError(file, 'binary file (it holds NUL bytes), not text');
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new InputError(file, 'binary file (not valid UTF-8), not text');
    }
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(file, describeFsError(err));
  } finally {
    closeSync(fd);
  }
}

function formatBytes(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}

/**
 * The YAML documents of a file's text, parsed but not converted. Syntax errors stay on each
 * document (`document.errors`, for messages with line numbers); too many documents, or a parser
 * that gives up (a stack overflow on absurd nesting), is an {@link InputError}.
 */
export function parseYamlStream(
  text: string,
  file: string,
  options: { lineCounter?: LineCounter; limits?: InputLimits } = {},
): Document.Parsed[] {
  const limits = options.limits ?? inputLimits();
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, {
      ...(options.lineCounter === undefined ? {} : { lineCounter: options.lineCounter }),
      // The library's warnings would reach stderr as Node process warnings: errors are reported.
      logLevel: 'error',
    }) as Document.Parsed[];
  } catch (err) {
    throw new InputError(file, `YAML: ${libraryReason(err)}`);
  }
  if (documents.length > limits.maxDocuments) {
    throw new InputError(file, `more than ${limits.maxDocuments} YAML documents (the limit)`);
  }
  return documents;
}

/**
 * One parsed document as plain data, within the alias and depth limits. Throws {@link InputError}
 * naming the document (1-based).
 */
export function documentToJs(
  document: Document.Parsed,
  file: string,
  index: number,
  limits: InputLimits = inputLimits(),
): unknown {
  const where = `document ${index + 1}`;
  let content: unknown;
  try {
    content = document.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (err) {
    throw new InputError(file, `${where}: YAML: ${libraryReason(err)}`);
  }
  const depth = nestingDepth(content, limits.maxDepth);
  if (depth > limits.maxDepth) {
    throw new InputError(file, `${where}: nested more than ${limits.maxDepth} levels deep (the limit)`);
  }
  return content;
}

/** Why the yaml library gave up, in one line and without its internals. */
function libraryReason(err: unknown): string {
  if (err instanceof RangeError) return 'nested too deeply to read';
  const message = err instanceof Error ? err.message : String(err);
  if (/alias count/i.test(message)) {
    return 'too many aliases (it expands like a "billion laughs" attack); refused';
  }
  return (message.split('\n')[0] ?? 'unreadable').replace(/ at line \d+, column \d+:?$/, '');
}

/** The depth of nested objects and arrays, counting stops just past `limit`. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop();
    if (top === undefined || top.value === null || typeof top.value !== 'object') continue;
    const depth = top.depth + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    const children = Array.isArray(top.value) ? top.value : Object.values(top.value);
    for (const child of children) stack.push({ value: child, depth });
  }
  return deepest;
}
