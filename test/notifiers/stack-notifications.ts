import { pino } from 'pino';
import { Controller } from '../../src/controller/controller.ts';
import { assembleDeps } from '../../src/controller/assemble.ts';
import type { KubeObject } from '../../src/kube/index.ts';
import type { Stack } from '../../src/sim/stack.ts';

/** A receiver as the platform team defines it in the notifications ConfigMap. */
export interface StackReceiver {
  readonly name: string;
  readonly type: 'slack' | 'teams' | 'webhook';
  readonly url: string;
  readonly timeoutSeconds?: number;
  readonly maxAttempts?: number;
}

const CONFIG = { namespace: 'serin-notify', name: 'serin-notifications' };

function configObjects(receivers: readonly StackReceiver[]): KubeObject[] {
  const yaml = [
    'receivers:',
    ...receivers.flatMap((r) => [
      `  - name: ${r.name}`,
      `    type: ${r.type}`,
      `    urlSecretRef: { name: hooks, key: ${r.name} }`,
      `    timeoutSeconds: ${r.timeoutSeconds ?? 10}`,
      `    maxAttempts: ${r.maxAttempts ?? 6}`,
    ]),
  ].join('\n');
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CONFIG.namespace } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'hooks', namespace: CONFIG.namespace },
      data: Object.fromEntries(receivers.map((r) => [r.name, Buffer.from(r.url).toString('base64')])),
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: CONFIG.name, namespace: CONFIG.namespace },
      data: { 'config.yaml': yaml },
    },
  ];
}

/**
 * The stack with notifications: the receivers' ConfigMap and Secret are written, every Canary applied
 * through it subscribes to all of them, and the controllers it starts read that ConfigMap
 * (what `serin controller --notifications-config serin-notify/serin-notifications` does).
 */
export async function withNotifications(stack: Stack, receivers: readonly StackReceiver[]): Promise<Stack> {
  await stack.apply(configObjects(receivers));
  const subscriptions = { receivers: receivers.map((r) => ({ receiver: r.name })) };
  const controllers: { controller: Controller; stopNotifications: () => Promise<void> }[] = [];
  return {
    ...stack,
    apply: (objects) =>
      stack.apply(
        objects.map((object) =>
          object.kind === 'Canary'
            ? { ...object, spec: { ...(object.spec as object), notifications: subscriptions } }
            : object,
        ),
      ),
    startController: ({ namespace, logger }) => {
      const log = logger ?? pino({ level: 'silent' });
      const deps = assembleDeps({ client: stack.client, logger: log, notificationsConfig: CONFIG });
      const controller = new Controller({
        deps,
        logger: log,
        namespace,
        workers: 2,
      });
      controller.start();
      controllers.push({ controller, stopNotifications: async () => deps.notifications?.stop() });
      return controller;
    },
    stop: async () => {
      await Promise.all(controllers.map(({ controller }) => controller.stop()));
      // Retries and hanging posts end here, so nothing keeps the process alive.
      await Promise.all(controllers.map(({ stopNotifications }) => stopNotifications()));
      await stack.stop();
    },
  };
}
