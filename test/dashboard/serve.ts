import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/main.ts';
import type { KubeSim } from '../../src/sim/kube/index.ts';

/** `serin dashboard` running in this process, as a user would start it. */
export interface ServedDashboard {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<number>;
}

/** Writes a kubeconfig for `user` of the simulator and returns its path. */
export function kubeconfigFileFor(sim: KubeSim, user: string): string {
  const path = join(
    tmpdir(),
    `serin-dashboard-${user.replace(/\W/g, '-')}-${process.pid}-${Date.now()}.json`,
  );
  const { clusters, users, currentContext } = sim.kubeconfigFor(user);
  const token = users[0]?.token ?? '';
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'sim', cluster: { server: clusters[0]?.server ?? '', 'insecure-skip-tls-verify': true } },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: currentContext, context: { cluster: 'sim', user, namespace: 'default' } }],
    'current-context': currentContext,
  };
  writeFileSync(path, JSON.stringify(doc), { mode: 0o600 });
  return path;
}

/** Runs `serin dashboard <args>` (from sources) until stop(); resolves once it printed its URL. */
export async function serveDashboard(args: string[]): Promise<ServedDashboard> {
  const stop = new AbortController();
  let out = '';
  let announce: (url: string) => void = () => undefined;
  const announced = new Promise<string>((resolve) => {
    announce = resolve;
  });
  const exited = runCli(['dashboard', '--port', '0', ...args], {
    out: (text) => {
      out += text;
      const url = /(http:\/\/\S+\/)/.exec(out)?.[1];
      if (url !== undefined) announce(url);
    },
    err: (text) => {
      out += text;
    },
    signal: stop.signal,
  });
  const url = await Promise.race([
    announced,
    exited.then((code) => {
      throw new Error(`serin dashboard exited ${code} before serving: ${out}`);
    }),
  ]);
  return {
    url,
    output: () => out,
    stop: async () => {
      stop.abort();
      return exited;
    },
  };
}
