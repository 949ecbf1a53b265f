import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeConfigError, loadKubeConfig } from '../../src/kube/index.ts';

function kubeconfigFile(dir: string, server: string): string {
  const file = join(dir, `${server.replace(/\W/g, '')}.yaml`);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "' + server + '", insecure-skip-tls-verify: true}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'current-context: x',
    ].join('\n'),
  );
  return file;
}

function setup(): { dir: string; home: string } {
  const dir = mkdtempSync(join(tmpdir(), 'serin-kc-'));
  const home = join(dir, 'home');
  mkdirSync(join(home, '.kube'), { recursive: true });
  return { dir, home };
}

describe('loadKubeConfig', () => {
  it('prefers the --kubeconfig flag over KUBECONFIG and ~/.kube/config', () => {
    const { dir, home } = setup();
    const flag = kubeconfigFile(dir, 'http://127.0.0.1:1');
    const env = { KUBECONFIG: kubeconfigFile(dir, 'http://127.0.0.1:2') };
    writeFileSync(join(home, '.kube', 'config'), '');
    const loaded = loadKubeConfig({ kubeconfig: flag, env, home });
    expect(loaded.source).toBe('flag');
    expect(loaded.server).toBe('http://127.0.0.1:1');
  });

  it('uses KUBECONFIG when there is no flag', () => {
    const { dir, home } = setup();
    const env = { KUBECONFIG: kubeconfigFile(dir, 'http://127.0.0.1:2') };
    const loaded = loadKubeConfig({ env, home });
    expect(loaded.source).toBe('env');
    expect(loaded.server).toBe('http://127.0.0.1:2');
    // The caller's environment is left as it was.
    expect(process.env.KUBECONFIG).not.toBe(env.KUBECONFIG);
  });

  it('falls back to ~/.kube/config', () => {
    const { dir, home } = setup();
    const file = kubeconfigFile(dir, 'http://127.0.0.1:3');
    writeFileSync(join(home, '.kube', 'config'), readFileSync(file, 'utf8'));
    const loaded = loadKubeConfig({ env: {}, home });
    expect(loaded.source).toBe('home');
    expect(loaded.server).toBe('http://127.0.0.1:3');
  });

  it('fails with a KubeConfigError rather than guessing localhost:8080', () => {
    const { home } = setup();
    expect(() => loadKubeConfig({ env: {}, home })).toThrow(KubeConfigError);
  });
});
