import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { filesUnder, outsideReferences, scanFiles } from './outside-paths.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** What runs from a checkout: sources, tests, benchmarks, the bin, CI, the build and image files. */
const SCANNED = [
  'src',
  'test',
  'bin',
  '.ci',
  'vitest.config.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'Dockerfile',
  '.dockerignore',
  '.dependency-cruiser.cjs',
];

describe('the repository is self-contained', () => {
  it('no source, test, benchmark, bin, CI or build file refers to a path outside the repository', () => {
    expect(scanFiles(ROOT, filesUnder(ROOT, SCANNED))).toEqual([]);
  });

  it('no package.json script refers to a path outside the repository', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const references = Object.entries(pkg.scripts).flatMap(([name, script]) =>
      outsideReferences(ROOT, join(ROOT, 'package.json'), script).map((r) => ({ ...r, script: name })),
    );
    expect(references).toEqual([]);
  });

  it('the scan finds a climb out of the repo, the sibling shared folder and an absolute outside path', () => {
    const file = join(ROOT, 'src/sim/kube/server.ts');
    const parent = ROOT.slice(0, ROOT.lastIndexOf('/'));
    // Each bad line is assembled at run time, so this file does not contain what it looks for.
    const text = [
      `const a = resolve(here, '${'../'.repeat(4)}elsewhere/crds.yaml');`,
      `const b = resolve(root, '..' + '/x'); // fine: not a literal chain`,
      ['const c = "..', 'shared/fixtures/istio.yaml";'].join('/'),
      `const d = '${parent}/other-repo/file.yaml';`,
      `import { x } from '../../api/index.ts';`,
      `const e = '${ROOT}/crds';`,
    ].join('\n');
    expect(outsideReferences(ROOT, file, text).map((r) => [r.line, r.why.split(' ')[0]])).toEqual([
      [1, 'climbs'],
      [3, 'names'],
      [4, 'absolute'],
    ]);
  });
});
