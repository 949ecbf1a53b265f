/** Shared setup for the on-call verb tests: the controller harness, a rollout brought to a pause, the CLI in-process. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { runCliCaptured } from '../../src/main.ts';
import type { CliRun } from '../../src/cli/context.ts';
import type { KubeSim } from '../../src/sim/kube/index.ts';
import type { Harness } from '../controller/harness.ts';
import { startRollout, status, toIdle } from '../controller/rollout-helpers.ts';

const SECOND = 1000;
const dirs: string[] = [];

/**
 * A kubeconfig file whose token the simulator authenticates as `user`, with `namespace` as the
 * context's namespace (so verbs run without -n, as an on-call engineer's would).
 */
export function kubeconfigFileFor(sim: KubeSim, user: string, namespace = 'test'): string {
  const object = sim.kubeconfigFor(user);
  const cluster = object.clusters[0]!;
  const token = object.users[0]!.token;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sim', cluster: { server: cluster.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: `${user}-entry`, user: { token } }],
    contexts: [{ name: 'sim', context: { cluster: 'sim', user: `${user}-entry`, namespace } }],
    'current-context': 'sim',
  };
  const dir = mkdtempSync(join(tmpdir(), 'serin-cli-test-'));
  dirs.push(dir);
  const path = join(dir, 'kubeconfig.yaml');
  writeFileSync(path, stringify(doc), { mode: 0o600 });
  return path;
}

/** Removes the kubeconfig files written so far. */
export function removeKubeconfigFiles(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs `serin <args> --kubeconfig <file>` in-process. */
export function serin(kubeconfig: string, args: string[], signal?: AbortSignal): Promise<CliRun> {
  return runCliCaptured([...args, '--kubeconfig', kubeconfig], signal);
}

/** Brings the harness's rollout to its last step, `pause: {}` (Paused, Manual, step 5/5, 50/50). */
export async function toFinalPause(h: Harness): Promise<void> {
  await toIdle(h);
  await startRollout(h);
  h.clock.advance(61 * SECOND);
  await h.pass();
  h.provider.set('success_rate', 0.99);
  await h.pass();
  h.clock.advance(10 * SECOND);
  await h.pass();
  await h.pass();
  await h.pass();
  expect(await status(h)).toMatchObject({ phase: 'Paused', pauseReason: 'Manual', currentStepIndex: 4 });
}

/** The Approvals in the harness namespace. */
export async function approvals(
  h: Harness,
): Promise<{ name: string; spec: Record<string, unknown>; status?: Record<string, unknown> }[]> {
  const list = await h.client.list('serin.dev/v1alpha1', 'Approval', { namespace: 'test' });
  return list.items.map((a) => ({
    name: a.metadata.name ?? '',
    spec: a.spec as Record<string, unknown>,
    ...(a.status === undefined ? {} : { status: a.status as Record<string, unknown> }),
  }));
}
