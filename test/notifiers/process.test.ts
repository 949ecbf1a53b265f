import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.ts';
import { createKubeClient, loadKubeConfig } from '../../src/kube/index.ts';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import { FROM_SOURCES, controllerArgs, spawnSerin } from '../harness/controller-process.ts';
import { eventually } from '../support/index.ts';
import { canary } from '../controller/harness.ts';
import { configObjects } from './controller-world.ts';
import { startReceiver, type ReceiverServer } from './receiver-server.ts';

let sim: KubeSim | undefined;
let receiver: ReceiverServer | undefined;
afterEach(async () => {
  await receiver?.close();
  await sim?.stop();
});

describe('serin controller --notifications-config', () => {
  it('the process reads the receivers from the ConfigMap and posts: a Canary whose target is missing tells Stalled, once', async () => {
    receiver = await startReceiver();
    sim = await startKubeSim({ port: 0, namespaces: ['test'] });
    const client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
    for (const object of configObjects(receiver.url)) await client.create(object);
    await client.create<KubeObject>(canary({ notifications: { receivers: [{ receiver: 'team-chat' }] } }));
    const run = spawnSerin(
      FROM_SOURCES,
      controllerArgs(sim, ['--leader-elect', 'false', '--notifications-config', 'serin-notifications']),
    );
    try {
      await eventually(() => receiver!.received.length > 0, 'a notification at the receiver', 30_000);
      const message = JSON.parse(receiver.received[0]?.body ?? '{}') as { text?: string };
      expect(message.text).toMatch(/^:x: Canary test\/podinfo stalled: /);
      // The token in the URL's path is in no log line.
      expect(run.stdout() + run.stderr()).not.toContain('secret-token');
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(receiver.received).toHaveLength(1);
    } finally {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      run.cleanup();
    }
  }, 60_000);
});
