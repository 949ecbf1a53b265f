/**
 * The container image, tested by its content: no registry is reachable here, so this assembles in
 * an empty folder exactly what the Dockerfile's runtime stage copies (its build stage replayed:
 * sources compiled with `npm run build`, production dependencies with `npm ci --omit=dev` from
 * the npm cache), then runs serin from that folder alone.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import { runControllerLifecycle, runSerin, type SerinCommand } from '../harness/controller-process.ts';
import { parseDockerfile, type Stage } from './dockerfile.ts';

const REPO = resolve('.');
const stages = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const [build, runtime] = stages as [Stage, Stage];
let work: string;
let app: string;

/** Replays the build stage in `dir`: its COPY steps from the repo, then the same npm commands. */
function replayBuildStage(dir: string): void {
  for (const step of build.copies) copy(join(REPO, step.source), join(dir, step.destination, baseOf(step)));
  // Installing the dev dependencies again would only fetch what node_modules already holds.
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: 'pipe' });
  rmSync(join(dir, 'node_modules'));
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: 'pipe',
  });
}

/** `COPY a b/` puts a inside b; `COPY a b` (or a folder `a/ b/`) makes b. */
function baseOf(step: { source: string; destination: string }): string {
  return step.destination.endsWith('/') && !step.source.endsWith('/') ? step.source.split('/').pop()! : '';
}

function copy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true, filter: (path) => !path.endsWith('.test.ts') });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'serin-image-'));
  const buildDir = join(work, 'build');
  app = join(work, 'app');
  mkdirSync(buildDir);
  mkdirSync(app);
  replayBuildStage(buildDir);
  for (const step of runtime.copies) {
    const from = step.from === undefined ? REPO : step.from === build.name ? buildDir : undefined;
    if (from === undefined) throw new Error(`COPY --from=${step.from ?? ''}: unknown stage`);
    const source = step.from === undefined ? step.source : step.source.replace(/^\/src\//, '');
    copy(join(from, source), join(app, step.destination, baseOf({ ...step, source })));
  }
}, 240_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

let sim: KubeSim | undefined;

describe('the container image', () => {
  const image: () => SerinCommand = () => ({ args: ['bin/serin.js'], cwd: app });

  it('is built in one stage and runs non-root on Node 24 with the controller as its entrypoint', () => {
    expect(stages.map((stage) => stage.image)).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    expect(runtime.user).toBe('65532:65532');
    expect(runtime.entrypoint).toEqual(['node', '/app/bin/serin.js', 'controller']);
    expect(runtime.workdir).toBe('/app');
  });

  it('holds no TypeScript sources, tests, tsx or dev tools', () => {
    const listing = execFileSync(
      'find',
      ['.', '-path', './node_modules', '-prune', '-o', '-type', 'f', '-print'],
      {
        cwd: app,
        encoding: 'utf8',
      },
    );
    expect(listing.split('\n').filter((path) => /\.ts$|\.test\.|^\.\/test\//.test(path))).toEqual([]);
    const modules = execFileSync('ls', ['node_modules'], { cwd: app, encoding: 'utf8' }).split('\n');
    expect(
      modules.filter((name) => ['tsx', 'typescript', 'vitest', 'esbuild', 'eslint'].includes(name)),
    ).toEqual([]);
  });

  it('answers serin --version from the image folder alone', async () => {
    const run = await runSerin(image(), ['--version']);
    expect([run.code, run.stdout.trim()]).toEqual([0, '0.1.0']);
  });

  it('takes the lease, serves /readyz, releases the lease on SIGTERM and exits 0, loading nothing from outside the image', async () => {
    sim = await startKubeSim({ port: 0, namespaces: ['serin-system'] });
    try {
      const life = await runControllerLifecycle(sim, image());
      expect(life.holderWhileRunning).toMatch(/.+/);
      expect(life.readyz).toEqual([200, 'ok (leading)\n']);
      expect(life.exitCode).toBe(0);
      expect(life.holderAfterExit).toBe('');
      const inside = pathToFileURL(`${app}/`).href;
      expect(life.loadedModules.length).toBeGreaterThan(0);
      expect(
        life.loadedModules.filter(
          (url) => !url.startsWith('node:') && !url.startsWith(inside) && !url.startsWith('data:'),
        ),
      ).toEqual([]);
    } finally {
      await sim.stop();
    }
  }, 60_000);
});
