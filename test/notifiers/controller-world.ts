import { pino } from 'pino';
import type { CanaryInput } from '../../src/api/index.ts';
import { controllerNotifications, type NotificationSink } from '../../src/controller/notify.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import type { KubeObject } from '../../src/kube/index.ts';
import { systemClock } from '../../src/ports/index.ts';
import { ControllerMetrics } from '../../src/telemetry/metrics.ts';
import { NS, canary, startHarness, type Harness } from '../controller/harness.ts';
import { startReceiver, type ReceiverServer } from './receiver-server.ts';

export const CONFIG = { namespace: 'serin-system', name: 'serin-notifications' };

/** A notifications ConfigMap and the Secret with the receiver's URL, as a platform team writes them. */
export function configObjects(url: string, type = 'slack'): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CONFIG.namespace } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'team-hooks', namespace: CONFIG.namespace },
      data: { url: Buffer.from(url).toString('base64') },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: CONFIG.name, namespace: CONFIG.namespace },
      data: {
        'config.yaml': [
          'dashboardUrl: https://serin.example.com',
          'receivers:',
          '  - name: team-chat',
          `    type: ${type}`,
          '    urlSecretRef: { name: team-hooks, key: url }',
          '    maxAttempts: 2',
        ].join('\n'),
      },
    },
  ];
}

/** A controller "process": its own notification queues over the harness' simulator and clock. */
export interface ControllerInstance {
  readonly sink: NotificationSink;
  readonly metrics: ControllerMetrics;
  /** A reconcile pass, then waits for every notification it published to be delivered or given up. */
  pass(): Promise<void>;
  /** A reconcile pass alone: what the controller's work queue waits for. */
  reconcile(): Promise<void>;
}

export interface NotifyWorld {
  readonly h: Harness;
  readonly receiver: ReceiverServer;
  /** Starts another controller instance (a restart: nothing in memory carries over). */
  start(): ControllerInstance;
  /** Slack messages received so far, parsed. */
  messages(): { text: string; blocks: unknown[] }[];
  stop(): Promise<void>;
}

/** The controller harness with notifications to a local Slack-format receiver, for a Canary that subscribes. */
export async function startNotifyWorld(
  spec: Partial<CanaryInput['spec']> = {},
  options: { type?: string } = {},
): Promise<NotifyWorld> {
  const receiver = await startReceiver();
  const h = await startHarness({
    canary: canary({ notifications: { receivers: [{ receiver: 'team-chat' }] }, ...spec }),
  });
  for (const object of configObjects(receiver.url, options.type)) await h.client.create(object);
  const instances: ControllerInstance[] = [];
  const start = (): ControllerInstance => {
    const metrics = new ControllerMetrics();
    const sink = controllerNotifications({
      client: h.client,
      secrets: h.deps.secrets!,
      recorder: h.deps.recorder,
      logger: pino({ level: 'silent' }),
      metrics,
      config: CONFIG,
      clock: systemClock,
    });
    const deps = { ...h.deps, notifications: sink };
    const instance = {
      sink,
      metrics,
      reconcile: async () => {
        await reconcile(deps, { namespace: NS, name: 'podinfo' });
      },
      pass: async () => {
        await reconcile(deps, { namespace: NS, name: 'podinfo' });
        await sink.idle();
      },
    };
    instances.push(instance);
    return instance;
  };
  return {
    h,
    receiver,
    start,
    messages: () => receiver.received.map((r) => JSON.parse(r.body) as { text: string; blocks: unknown[] }),
    stop: async () => {
      await Promise.all(instances.map((instance) => instance.sink.stop()));
      await receiver.close();
      await h.stop();
    },
  };
}
