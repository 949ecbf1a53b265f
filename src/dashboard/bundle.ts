/**
 * The page's bundle: one esbuild build of src/dashboard/app (Preact, uPlot and the page's own code,
 * CSS included), so nothing is fetched from the network. `npm run build` writes it next to the
 * compiled server (dist/dashboard/app.js, app.css); from sources it is built in memory.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The page's script and style sheet. */
export interface Assets {
  readonly js: string;
  readonly css: string;
}

const ENTRY = fileURLToPath(new URL('./app/main.tsx', import.meta.url));

/** Builds the bundle in memory with esbuild (a dev dependency: the published package ships the output). */
export async function buildAssets(): Promise<Assets> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'out',
    entryNames: 'app',
    write: false,
    logLevel: 'warning',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const text = (ext: string): string => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { js: text('.js'), css: text('.css') };
}

/** Writes the bundle into `dir` (app.js, app.css). */
export async function writeAssets(dir: string): Promise<Assets> {
  const assets = await buildAssets();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'app.js'), assets.js);
  await writeFile(join(dir, 'app.css'), assets.css);
  return assets;
}

// `tsx src/dashboard/bundle.ts <dir>`: npm run build's step for the page.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] ?? 'dist/dashboard';
  const assets = await writeAssets(dir);
  process.stdout.write(
    `dashboard bundle: ${dir}/app.js ${assets.js.length} bytes, app.css ${assets.css.length} bytes\n`,
  );
}
