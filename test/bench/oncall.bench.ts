/**
 * The on-call verbs at scale (issue 14): `serin get canaries -A` over 1,000 Canaries in the
 * simulator (median of 5; the target is 1 s), and `serin status NAME`'s time to first output.
 * In-process (the verb's own work: kubeconfig, requests, rendering), so the figures do not include
 * Node's start-up, which startup.bench.ts measures.
 */
import { performance } from 'node:perf_hooks';
import { runCli } from '../../src/main.ts';
import { createKubeClient, loadKubeConfig } from '../../src/kube/index.ts';
import { startKubeSim } from '../../src/sim/kube/index.ts';
import { canary } from '../controller/harness.ts';

const CANARIES = 1000;
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timed(args: string[]): Promise<{ total: number; firstOutput: number; lines: number }> {
  const start = performance.now();
  let firstOutput = Number.NaN;
  let lines = 0;
  const code = await runCli(args, {
    out: (text) => {
      if (Number.isNaN(firstOutput)) firstOutput = performance.now() - start;
      lines += text.split('\n').length - 1;
    },
    err: () => undefined,
  });
  if (code !== 0) throw new Error(`serin ${args.join(' ')} exited ${code}`);
  return { total: performance.now() - start, firstOutput, lines };
}

export async function run(): Promise<void> {
  const namespaces = Array.from({ length: 10 }, (_, i) => `team-${i}`);
  const sim = await startKubeSim({ port: 0, namespaces, historyLimit: 5000 });
  try {
    const client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
    for (let i = 0; i < CANARIES; i++) {
      const obj = canary();
      const namespace = namespaces[i % namespaces.length] ?? 'team-0';
      obj.metadata = { name: `svc-${i}`, namespace };
      await client.create(obj);
      await client.mergePatch(
        { apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', namespace, name: `svc-${i}` },
        { status: { phase: 'Progressing', revision: 'abc1234567', currentStepIndex: 1, canaryWeight: 20 } },
        { subresource: 'status' },
      );
    }
    const kubeconfig = ['--kubeconfig', sim.kubeconfigPath];
    const gets = [];
    for (let i = 0; i < RUNS; i++) gets.push(await timed(['get', 'canaries', '-A', ...kubeconfig]));
    console.log(
      `serin get canaries -A, ${CANARIES} Canaries: median ${median(gets.map((g) => g.total)).toFixed(0)} ms ` +
        `of ${RUNS} (${gets[0]?.lines ?? 0} lines; target 1000 ms)`,
    );
    const statuses = [];
    for (let i = 0; i < RUNS; i++)
      statuses.push(await timed(['status', 'svc-7', '-n', 'team-7', ...kubeconfig]));
    console.log(
      `serin status svc-7: first output after median ${median(statuses.map((s) => s.firstOutput)).toFixed(0)} ms of ${RUNS}`,
    );
  } finally {
    await sim.stop();
  }
}
