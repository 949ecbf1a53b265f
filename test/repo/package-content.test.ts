import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface PackResult {
  files: { path: string }[];
}

/** What `npm pack` would publish (scripts off: the build is CI's step, and dist/ must exist). */
function packedFiles(): string[] {
  if (!existsSync('dist/main.js'))
    throw new Error('dist/ is missing: run `npm run build` (npm ci runs it) first');
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' });
  const [result] = JSON.parse(out) as PackResult[];
  return (result?.files ?? []).map((file) => file.path).sort();
}

describe('the published package', () => {
  const files = packedFiles();

  it('holds the build, the bin and what the demo reads, and no TypeScript sources', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/serin.js',
        'dist/main.js',
        'dist/cli/controller.js',
        'crds/canaries.serin.dev.yaml',
        'analysis-templates/istio-success-rate.yaml',
        'docs/examples/canary.yaml',
        'src/sim/kube/crds/istio/networking-crds.yaml',
        'src/sim/kube/crds/istio/README.md',
      ]),
    );
    expect(files.filter((path) => path.endsWith('.ts'))).toEqual([]);
  });

  it('leaves out tests, fixtures, benchmarks, CI and build state', () => {
    const unwanted = files.filter((path) =>
      /(^|\/)(test|fixtures|\.ci)\/|\.test\.|\.bench\.|tsbuildinfo|^tsconfig|^vitest|^Dockerfile|^deploy\//.test(
        path,
      ),
    );
    expect(unwanted).toEqual([]);
  });
});
