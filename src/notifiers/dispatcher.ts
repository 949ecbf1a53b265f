import { eventsOf, type CanaryNotifications } from '../api/notifications.ts';
import type { Clock, Notification, Notifier } from '../ports/index.ts';
import { DEFAULT_RETRY, ReceiverQueue, type DeliveryReport, type RetryPolicy } from './delivery.ts';
import { createNotifier, type ResolvedReceiver } from './receivers.ts';

/** The cluster's receivers with their Secrets read, and those that could not be resolved. */
export interface ReceiverDirectory {
  readonly dashboardUrl?: string;
  readonly receivers: ReadonlyMap<string, ResolvedReceiver>;
  /** Receivers named in the ConfigMap whose Secrets could not be read: name → why (no value in it). */
  readonly unresolved: ReadonlyMap<string, string>;
}

export type DirectoryOutcome =
  | { readonly ok: true; readonly directory: ReceiverDirectory }
  | { readonly ok: false; readonly error: string };

/** What one pass hands over: its new notifications and the Canary's subscriptions. */
export interface Publication<C> {
  readonly subscriptions: CanaryNotifications;
  readonly notifications: readonly Notification[];
  /** The caller's handle on the Canary (for Events), handed back in reports and problems. */
  readonly context: C;
}

export type ReceiverReport<C> = DeliveryReport<C> & { readonly receiver: string };

export interface DispatcherOptions<C> {
  readonly directory: () => Promise<DirectoryOutcome>;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly retry?: Partial<RetryPolicy>;
  readonly onReport: (report: ReceiverReport<C>) => void;
  /**
   * Notifications that cannot be routed: the ConfigMap is invalid (no receiver), a receiver is
   * unknown or its Secret unreadable (that receiver, with how many notifications it misses).
   */
  readonly onProblem: (context: C, problem: string, missed?: { receiver: string; count: number }) => void;
  /** Builds a receiver's notifier (tests inject one that hangs). */
  readonly notifierFor?: (receiver: ResolvedReceiver, clock: Clock) => Notifier;
}

/** Events that wait for a person: their messages link the dashboard. */
const WAITING = new Set(['WaitingForApproval', 'AnalysisFailed', 'AnalysisInconclusive']);

/** `<dashboard>/canaries/<namespace>/<name>`. */
export function dashboardLink(base: string, notification: Notification): string {
  const { namespace, name } = notification.canary;
  return `${base.replace(/\/+$/, '')}/canaries/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

/**
 * Routes a pass's notifications to the receivers the Canary subscribes to, each through its own
 * bounded queue. `publish` returns at once: reading the configuration, posting and retrying all
 * happen afterwards, so no pass waits for a receiver and no rollback is delayed by one.
 */
export class NotificationDispatcher<C> {
  private readonly queues = new Map<string, ReceiverQueue<C>>();
  private readonly notifiers = new Map<string, { key: string; notifier: Notifier }>();
  private routing: Promise<void> = Promise.resolve();

  constructor(private readonly options: DispatcherOptions<C>) {}

  publish(publication: Publication<C>): void {
    if (publication.notifications.length === 0) return;
    // One routing at a time, in publication order, so a receiver sees a Canary's events in order.
    this.routing = this.routing.then(() => this.route(publication));
  }

  /** Resolves when every publication so far is routed and every queue is empty. */
  async idle(): Promise<void> {
    await this.routing;
    await Promise.all([...this.queues.values()].map((queue) => queue.idle()));
  }

  async stop(): Promise<void> {
    await this.routing;
    await Promise.all([...this.queues.values()].map((queue) => queue.stop()));
  }

  private async route(publication: Publication<C>): Promise<void> {
    let outcome: DirectoryOutcome;
    try {
      outcome = await this.options.directory();
    } catch (err) {
      outcome = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    if (!outcome.ok) {
      this.options.onProblem(publication.context, `notifications not sent: ${outcome.error}`);
      return;
    }
    const { directory } = outcome;
    const { subscriptions } = publication;
    for (const subscription of subscriptions.receivers) {
      const events = new Set<string>(eventsOf(subscriptions, subscription));
      const wanted = publication.notifications.filter((n) => events.has(n.event));
      if (wanted.length === 0) continue;
      const receiver = directory.receivers.get(subscription.receiver);
      if (receiver === undefined) {
        const why =
          directory.unresolved.get(subscription.receiver) ??
          'it is not defined in the notifications ConfigMap';
        this.options.onProblem(
          publication.context,
          `receiver "${subscription.receiver}" not notified of ${wanted.map((n) => n.event).join(', ')}: ${why}`,
          { receiver: subscription.receiver, count: wanted.length },
        );
        continue;
      }
      const notifier = this.notifierOf(receiver);
      const queue = this.queueOf(receiver);
      for (const notification of wanted) {
        const link =
          directory.dashboardUrl !== undefined && WAITING.has(notification.event)
            ? { dashboardUrl: dashboardLink(directory.dashboardUrl, notification) }
            : {};
        queue.enqueue({ notification: { ...notification, ...link }, notifier, context: publication.context });
      }
    }
  }

  private notifierOf(receiver: ResolvedReceiver): Notifier {
    const key = JSON.stringify(receiver);
    const known = this.notifiers.get(receiver.name);
    if (known?.key === key) return known.notifier;
    const notifier = (this.options.notifierFor ?? createNotifier)(receiver, this.options.clock);
    this.notifiers.set(receiver.name, { key, notifier });
    return notifier;
  }

  private queueOf(receiver: ResolvedReceiver): ReceiverQueue<C> {
    const policy: RetryPolicy = {
      ...DEFAULT_RETRY,
      ...this.options.retry,
      maxAttempts: receiver.maxAttempts,
    };
    const existing = this.queues.get(receiver.name);
    if (existing) {
      existing.capacity = receiver.queueSize;
      existing.policy = policy;
      return existing;
    }
    const queue = new ReceiverQueue<C>({
      capacity: receiver.queueSize,
      policy,
      clock: this.options.clock,
      ...(this.options.random ? { random: this.options.random } : {}),
      onReport: (report) => {
        this.options.onReport({ ...report, receiver: receiver.name });
      },
    });
    this.queues.set(receiver.name, queue);
    return queue;
  }
}
