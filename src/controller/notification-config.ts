import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { NOTIFICATIONS_CONFIG_KEY, NotificationsConfig, type ReceiverConfig } from '../api/notifications.ts';
import type { KubeClient, KubeObject } from '../kube/index.ts';
import type { Clock, SecretReader } from '../ports/index.ts';
import type { DirectoryOutcome, ResolvedReceiver } from '../notifiers/index.ts';

/** Where the cluster's notification receivers are defined. */
export interface NotificationsConfigRef {
  readonly namespace: string;
  readonly name: string;
}

/** How long a read of the ConfigMap and its Secrets is reused; a rotated Secret is seen this much later at most. */
export const CONFIG_TTL_MS = 30_000;

/** Problems in the ConfigMap's config.yaml, one line each: `receivers.0.type: unknown receiver type…`. */
export function configProblems(error: z.ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`,
  );
}

/** Parses the ConfigMap's `config.yaml` text; never throws. */
export function parseNotificationsConfig(
  text: string | undefined,
): { ok: true; config: NotificationsConfig } | { ok: false; error: string } {
  if (text === undefined) return { ok: false, error: `it has no "${NOTIFICATIONS_CONFIG_KEY}" key` };
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    return {
      ok: false,
      error: `${NOTIFICATIONS_CONFIG_KEY} is not YAML: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  const parsed = NotificationsConfig.safeParse(raw ?? {});
  if (!parsed.success)
    return { ok: false, error: `${NOTIFICATIONS_CONFIG_KEY}: ${configProblems(parsed.error).join('; ')}` };
  return { ok: true, config: parsed.data };
}

async function resolve(
  receiver: ReceiverConfig,
  namespace: string,
  secrets: SecretReader,
): Promise<{ ok: true; receiver: ResolvedReceiver } | { ok: false; error: string }> {
  const url = await secrets.read({ namespace, ...receiver.urlSecretRef });
  if (!url.ok) return { ok: false, error: `urlSecretRef: ${url.error}` };
  const address = url.value.trim();
  if (!/^https?:\/\//.test(address))
    return { ok: false, error: 'urlSecretRef: the value is not an http(s) URL' };
  let signingKey: string | undefined;
  if (receiver.signingSecretRef !== undefined) {
    const key = await secrets.read({ namespace, ...receiver.signingSecretRef });
    if (!key.ok) return { ok: false, error: `signingSecretRef: ${key.error}` };
    signingKey = key.value;
  }
  return {
    ok: true,
    receiver: {
      name: receiver.name,
      type: receiver.type,
      url: address,
      ...(signingKey === undefined ? {} : { signingKey }),
      queueSize: receiver.queueSize,
      maxAttempts: receiver.maxAttempts,
      timeoutMs: receiver.timeoutSeconds * 1000,
    },
  };
}

/** Reads the ConfigMap and its receivers' Secrets once. Secret values never reach an error. */
export async function readDirectory(
  client: KubeClient,
  secrets: SecretReader,
  ref: NotificationsConfigRef,
): Promise<DirectoryOutcome> {
  const where = `ConfigMap ${ref.namespace}/${ref.name}`;
  let configMap: (KubeObject & { data?: Record<string, string> }) | undefined;
  try {
    configMap = await client.find<KubeObject & { data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ref.namespace,
      name: ref.name,
    });
  } catch (err) {
    return { ok: false, error: `cannot read ${where}: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!configMap) return { ok: false, error: `${where} not found` };
  const parsed = parseNotificationsConfig(configMap.data?.[NOTIFICATIONS_CONFIG_KEY]);
  if (!parsed.ok) return { ok: false, error: `${where}: ${parsed.error}` };
  const receivers = new Map<string, ResolvedReceiver>();
  const unresolved = new Map<string, string>();
  for (const receiver of parsed.config.receivers) {
    const outcome = await resolve(receiver, ref.namespace, secrets);
    if (outcome.ok) receivers.set(receiver.name, outcome.receiver);
    else unresolved.set(receiver.name, `${where}, receiver ${receiver.name}: ${outcome.error}`);
  }
  return {
    ok: true,
    directory: {
      receivers,
      unresolved,
      ...(parsed.config.dashboardUrl === undefined ? {} : { dashboardUrl: parsed.config.dashboardUrl }),
    },
  };
}

/** `readDirectory`, reused for `ttlMs` by the controller's clock. */
export function cachedDirectory(
  read: () => Promise<DirectoryOutcome>,
  clock: Pick<Clock, 'now'>,
  ttlMs = CONFIG_TTL_MS,
): () => Promise<DirectoryOutcome> {
  let cached: { at: number; value: Promise<DirectoryOutcome> } | undefined;
  return () => {
    const now = clock.now();
    if (cached === undefined || now - cached.at >= ttlMs) cached = { at: now, value: read() };
    return cached.value;
  };
}
