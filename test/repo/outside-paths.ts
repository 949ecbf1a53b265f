import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** A reference in a repository file to a path outside the repository. */
export interface OutsideReference {
  /** The file, relative to the repository root. */
  file: string;
  line: number;
  text: string;
  why: string;
}

/** Folders never scanned: installed or generated, not written by us. */
const SKIPPED = new Set(['node_modules', 'dist', 'coverage', '.git', '.serin-demo']);

/** Every file under `paths` (files or folders, relative to `root`), skipping {@link SKIPPED}. */
export function filesUnder(root: string, paths: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return;
    if (stat.isFile()) {
      found.push(path);
      return;
    }
    for (const name of readdirSync(path).sort()) if (!SKIPPED.has(name)) walk(join(path, name));
  };
  for (const path of paths) walk(join(root, path));
  return found;
}

const RELATIVE = /(?:^|[\s'"`(=:,])((?:\.\.\/)+)([\w@.-][\w@./-]*)?/g;
// Built from parts so this file does not flag itself.
const SIBLING = new RegExp(['\\.\\.', 'shared'].join('/'));

/**
 * References in `text` (the content of `file`, inside `root`) that leave the repository:
 * a `../` chain that climbs above the root from the file's folder, the sibling `shared` folder
 * by name, or an absolute path into the folder that holds the repository.
 */
export function outsideReferences(root: string, file: string, text: string): OutsideReference[] {
  const rel = relative(root, file);
  const parent = dirname(root) + sep;
  const found: OutsideReference[] = [];
  text.split('\n').forEach((line, index) => {
    const report = (why: string): void => {
      found.push({ file: rel, line: index + 1, text: line.trim().slice(0, 160), why });
    };
    if (SIBLING.test(line)) report('names the sibling shared folder');
    for (const match of line.matchAll(RELATIVE)) {
      const target = resolve(dirname(file), match[1] ?? '', match[2] ?? '');
      if (target !== root && !target.startsWith(root + sep)) report(`climbs out to ${target}`);
    }
    for (const start of allIndexes(line, parent)) {
      const path = /^[^\s'"`),;]*/.exec(line.slice(start))?.[0] ?? '';
      if (path !== root && !path.startsWith(root + sep)) report(`absolute path ${path} outside the repo`);
    }
  });
  return found;
}

function allIndexes(line: string, needle: string): number[] {
  const indexes: number[] = [];
  for (let at = line.indexOf(needle); at !== -1; at = line.indexOf(needle, at + 1)) indexes.push(at);
  return indexes;
}

/** Scans the given files (absolute paths inside `root`). */
export function scanFiles(root: string, files: readonly string[]): OutsideReference[] {
  return files.flatMap((file) => outsideReferences(root, file, readFileSync(file, 'utf8')));
}
