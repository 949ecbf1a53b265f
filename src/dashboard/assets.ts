import { readFile } from 'node:fs/promises';
import type { Assets } from './bundle.ts';

/**
 * The page's script and styles: the build's (dist/dashboard/app.js beside the compiled server), or,
 * when running from sources, a fresh in-memory build. Either way served from this process only.
 */
export async function loadAssets(): Promise<Assets> {
  try {
    const [js, css] = await Promise.all([
      readFile(new URL('./app.js', import.meta.url), 'utf8'),
      readFile(new URL('./app.css', import.meta.url), 'utf8'),
    ]);
    return { js, css };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const { buildAssets } = await import('./bundle.ts');
    return buildAssets();
  }
}
