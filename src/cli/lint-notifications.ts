import { NOTIFICATIONS_CONFIG_KEY, type NotificationsConfig } from '../api/notifications.ts';
import { parseNotificationsConfig } from '../controller/notification-config.ts';
import type { LintDocument, LintProblem } from './lint-rules.ts';

/** The label that marks a ConfigMap as serin's notifications configuration (any value). */
export const NOTIFICATIONS_LABEL = 'serin.dev/notifications';

interface ConfigMapDoc {
  kind?: unknown;
  apiVersion?: unknown;
  metadata?: { name?: unknown; labels?: Record<string, unknown> };
  data?: Record<string, unknown>;
}

/** A ConfigMap named serin-notifications, or labelled serin.dev/notifications. */
export function isNotificationsConfigMap(content: unknown): boolean {
  const doc = (content ?? {}) as ConfigMapDoc;
  if (doc.apiVersion !== 'v1' || doc.kind !== 'ConfigMap') return false;
  return (
    doc.metadata?.name === 'serin-notifications' || doc.metadata?.labels?.[NOTIFICATIONS_LABEL] !== undefined
  );
}

function canaryReceivers(content: unknown): { receiver: string; index: number }[] {
  const doc = (content ?? {}) as { kind?: unknown; spec?: { notifications?: { receivers?: unknown } } };
  const receivers = doc.kind === 'Canary' ? doc.spec?.notifications?.receivers : undefined;
  if (!Array.isArray(receivers)) return [];
  return receivers.flatMap((entry: unknown, index) => {
    const receiver = (entry as { receiver?: unknown } | null)?.receiver;
    return typeof receiver === 'string' ? [{ receiver, index }] : [];
  });
}

/**
 * The notifications ConfigMap's config.yaml, checked as the controller reads it; and, when one is
 * among the files, every Canary's receivers checked against it.
 */
export function lintNotifications(docs: readonly LintDocument[]): LintProblem[] {
  const problems: LintProblem[] = [];
  const configs: NotificationsConfig[] = [];
  for (const doc of docs.filter((d) => isNotificationsConfigMap(d.content))) {
    const content = doc.content as ConfigMapDoc;
    const name = typeof content.metadata?.name === 'string' ? content.metadata.name : '';
    const text = content.data?.[NOTIFICATIONS_CONFIG_KEY];
    const parsed = parseNotificationsConfig(typeof text === 'string' ? text : undefined);
    if (parsed.ok) configs.push(parsed.config);
    else
      problems.push({
        file: doc.file,
        document: doc.index,
        kind: 'ConfigMap',
        name,
        path: 'data',
        message: parsed.error,
      });
  }
  if (configs.length === 0) return problems;
  const known = new Set(configs.flatMap((config) => config.receivers.map((r) => r.name)));
  for (const doc of docs) {
    for (const { receiver, index } of canaryReceivers(doc.content)) {
      if (known.has(receiver)) continue;
      const name = (doc.content as { metadata?: { name?: unknown } }).metadata?.name;
      problems.push({
        file: doc.file,
        document: doc.index,
        kind: 'Canary',
        name: typeof name === 'string' ? name : '',
        path: `spec.notifications.receivers[${index}].receiver`,
        message: `receiver "${receiver}" is not defined in the notifications ConfigMap (known: ${[...known].join(', ') || 'none'})`,
      });
    }
  }
  return problems;
}
