/** A kubeconfig pointing at the simulator, as a file and as client-node's loadFromOptions() input. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** The object form client-node's KubeConfig.loadFromOptions() accepts. */
export interface KubeconfigObject {
  clusters: { name: string; server: string; skipTLSVerify: boolean }[];
  users: { name: string; token: string }[];
  contexts: { name: string; cluster: string; user: string; namespace: string }[];
  currentContext: string;
}

const NAME = 'serin-sim';

/** The bearer token of the default kubeconfig. */
export const DEFAULT_TOKEN = 'serin-sim-token';

/** Builds the object form; `token` names the user the simulator authenticates (default: its admin). */
export function kubeconfigObject(url: string, token: string = DEFAULT_TOKEN): KubeconfigObject {
  return {
    clusters: [{ name: NAME, server: url, skipTLSVerify: true }],
    users: [{ name: NAME, token }],
    contexts: [{ name: NAME, cluster: NAME, user: NAME, namespace: 'default' }],
    currentContext: NAME,
  };
}

/**
 * Writes a kubeconfig file in a fresh temp directory; returns its path and a cleanup. `token` as
 * for {@link kubeconfigObject} (a token from KubeSim.kubeconfigFor() makes the file another user's).
 */
export function writeKubeconfig(
  url: string,
  token: string = DEFAULT_TOKEN,
): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'serin-kubesim-'));
  const path = join(dir, 'kubeconfig.yaml');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    // client-node 1.x refuses plain http unless skipTLSVerify is set.
    clusters: [{ name: NAME, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: NAME, user: { token } }],
    contexts: [{ name: NAME, context: { cluster: NAME, user: NAME, namespace: 'default' } }],
    'current-context': NAME,
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
  return {
    path,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
