import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canary, startHarness, type Harness } from '../controller/harness.ts';
import { kubeconfigFileFor, removeKubeconfigFiles, serin } from './oncall-helpers.ts';

let h: Harness;
afterEach(async () => {
  await h.stop();
  removeKubeconfigFiles();
});

const run = promisify(execFile);

/**
 * Runs the bash script's completion function for `words` (the last one being completed). Async: the
 * simulator answering the script's call back into serin lives in this process.
 */
async function bashComplete(script: string, words: string[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'serin-completion-'));
  try {
    const file = join(dir, 'serin.bash');
    writeFileSync(file, script);
    // `serin` itself is this checkout's sources, so the script's call back into serin is real.
    const driver = [
      `serin() { node --import tsx ${JSON.stringify(join(process.cwd(), 'src/main.ts'))} "$@"; }`,
      `source ${JSON.stringify(file)}`,
      `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')})`,
      `COMP_CWORD=${words.length - 1}`,
      '_serin',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const { stdout } = await run('bash', ['-c', driver], { encoding: 'utf8', cwd: process.cwd() });
    return stdout.split('\n').filter((line) => line !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('serin completion', () => {
  it('completes Canary names read from the cluster, in the namespace already typed', async () => {
    h = await startHarness();
    const second = canary();
    second.metadata = { name: 'payments', namespace: 'test' };
    await h.client.create(second);
    const kubeconfig = kubeconfigFileFor(h.sim, 'alice', 'default');
    const script = (await serin(kubeconfig, ['completion', 'bash'])).stdout;
    expect(
      await bashComplete(script, ['serin', 'promote', '--kubeconfig', kubeconfig, '-n', 'test', '']),
    ).toEqual(['payments', 'podinfo']);
    expect(
      await bashComplete(script, ['serin', 'status', '--kubeconfig', kubeconfig, '-n', 'test', 'po']),
    ).toEqual(['podinfo']);
  }, 60_000);

  it('completes verbs, kinds and formats without asking the cluster', async () => {
    h = await startHarness();
    const script = (await serin(kubeconfigFileFor(h.sim, 'alice'), ['completion', 'bash'])).stdout;
    expect(await bashComplete(script, ['serin', 'pr'])).toEqual(['promote']);
    // Every verb the program has, including ones added after the scripts were written.
    expect(await bashComplete(script, ['serin', 're'])).toEqual(['replay', 'resume', 'retry']);
    expect(await bashComplete(script, ['serin', 'get', 'a'])).toEqual(['approvals']);
    expect(await bashComplete(script, ['serin', 'get', '-o', 'w'])).toEqual(['wide']);
  }, 60_000);

  it('canaries prints one name a line for the namespace; unknown shells are usage errors', async () => {
    h = await startHarness();
    const kubeconfig = kubeconfigFileFor(h.sim, 'alice');
    expect(await serin(kubeconfig, ['completion', 'canaries'])).toEqual({
      code: 0,
      stdout: 'podinfo\n',
      stderr: '',
    });
    const tcsh = await serin(kubeconfig, ['completion', 'tcsh']);
    expect([tcsh.code, tcsh.stderr]).toEqual([
      2,
      'serin completion: unknown shell "tcsh": use bash, zsh or fish\n',
    ]);
  });

  it('prints a zsh script that loads the bash one through bashcompinit, and a fish script', async () => {
    h = await startHarness();
    const kubeconfig = kubeconfigFileFor(h.sim, 'alice');
    const zsh = (await serin(kubeconfig, ['completion', 'zsh'])).stdout;
    expect(zsh).toMatch(/bashcompinit[\s\S]*complete -o default -F _serin serin kubectl-serin/);
    const fish = (await serin(kubeconfig, ['completion', 'fish'])).stdout;
    expect(fish).toContain("-a '(serin completion canaries (__serin_cluster_args) 2>/dev/null)'");
  });
});
