import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

describe('kube simulator as a process (src/sim/kube/serve.ts)', () => {
  it('prints its URL and kubeconfig path, serves, and exits on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/kube/serve.ts', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', () => {
          reject(new Error('serve.ts exited before printing'));
        });
      });
      const { url, kubeconfigPath } = JSON.parse(line) as { url: string; kubeconfigPath: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(kubeconfigPath).toMatch(/kubeconfig\.yaml$/);
      const version = (await (await fetch(`${url}/version`)).json()) as { major: string };
      expect(version.major).toBe('1');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
