import { isKubeError, ResourceCache, type KubeClient, type KubeObject } from '../kube/index.ts';
import { mayCreateApprovals } from './access.ts';
import type { DetailMessage } from './api-types.ts';
import { canaryDetail } from './detail.ts';
import { describeFailure } from './failure.ts';
import type { CanaryFeed } from './live.ts';

const API = 'serin.dev/v1alpha1';
/** Changes closer together than this are sent as one message (a pass writes status and Events together). */
const COALESCE_MS = 100;

/** A kind followed for one Canary page: its informer, or why it is not followed. */
interface Followed {
  cache: ResourceCache | undefined;
  note: string | undefined;
}

/**
 * One plain list before the informer, as the list feed does: a forbidden kind is said in the page
 * (and not followed) instead of being retried by the informer forever.
 */
async function followKind(
  client: KubeClient,
  target: { apiVersion: string; kind: string; namespace: string; resource: string },
  signal: AbortSignal,
): Promise<Followed> {
  try {
    await client.list(target.apiVersion, target.kind, { namespace: target.namespace, signal });
  } catch (err) {
    if (signal.aborted) return { cache: undefined, note: undefined };
    const note = describeFailure(err, {
      verb: 'list',
      resource: target.resource,
      namespace: target.namespace,
    });
    return { cache: undefined, note: `${target.kind}s are not shown: ${note}` };
  }
  const cache = new ResourceCache({
    client,
    apiVersion: target.apiVersion,
    kind: target.kind,
    namespace: target.namespace,
  });
  cache.start();
  await cache.synced;
  return { cache, note: undefined };
}

type Ref = { templateName?: string; clusterTemplateName?: string };

/** The Canary's templates; one that is missing or hidden leaves its conditions out (a note says so). */
async function readTemplates(
  client: KubeClient,
  canary: KubeObject,
  signal: AbortSignal,
): Promise<{ templates: KubeObject[]; notes: string[] }> {
  const spec = canary.spec as {
    steps?: { analysis?: { templates?: Ref[] } }[];
    analysis?: { templates?: Ref[] };
  };
  const refs = [
    ...(spec.steps ?? []).flatMap((s) => s.analysis?.templates ?? []),
    ...(spec.analysis?.templates ?? []),
  ];
  const wanted = new Map<string, { kind: string; name: string; namespace?: string }>();
  for (const ref of refs) {
    if (ref.templateName !== undefined)
      wanted.set(`t/${ref.templateName}`, {
        kind: 'AnalysisTemplate',
        name: ref.templateName,
        namespace: canary.metadata.namespace ?? 'default',
      });
    if (ref.clusterTemplateName !== undefined)
      wanted.set(`c/${ref.clusterTemplateName}`, {
        kind: 'ClusterAnalysisTemplate',
        name: ref.clusterTemplateName,
      });
  }
  const notes: string[] = [];
  const found = await Promise.all(
    [...wanted.values()].map(async (ref) => {
      try {
        return await client.find({ apiVersion: API, ...ref }, { signal });
      } catch (err) {
        if (!isKubeError(err)) throw err;
        notes.push(
          `${ref.kind} ${ref.name} not read, so its conditions are not drawn: ${describeFailure(err, {
            verb: 'get',
            resource: `${ref.kind.toLowerCase()}s.serin.dev`,
            namespace: ref.namespace,
            name: ref.name,
          })}`,
        );
        return undefined;
      }
    }),
  );
  return { templates: found.filter((t): t is KubeObject => t !== undefined), notes };
}

/** What a Canary page's stream needs. */
export interface DetailStreamInput {
  readonly client: KubeClient;
  readonly feed: CanaryFeed;
  readonly namespace: string;
  readonly name: string;
  readonly send: (message: DetailMessage) => void;
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/**
 * Streams one Canary's page: the Canary from the shared feed, its namespace's Events and Approvals
 * from informers of this page's own, its templates and the user's permission read once. Every change
 * sends the whole page model again; it is small, and the page never has to merge.
 */
export async function streamDetail(input: DetailStreamInput): Promise<void> {
  const { client, feed, namespace, name, signal } = input;
  const now = input.now ?? Date.now;
  const first = feed.canary(namespace, name);
  if (first === undefined) {
    input.send({ type: 'error', message: `Canary "${name}" not found in namespace "${namespace}"` });
    return;
  }
  const [events, approvals, templates, permission] = await Promise.all([
    followKind(client, { apiVersion: 'v1', kind: 'Event', namespace, resource: 'events' }, signal),
    followKind(
      client,
      { apiVersion: API, kind: 'Approval', namespace, resource: 'approvals.serin.dev' },
      signal,
    ),
    readTemplates(client, first, signal),
    mayCreateApprovals(client, namespace, signal),
  ]);
  let timer: NodeJS.Timeout | undefined;
  const send = (): void => {
    timer = undefined;
    if (signal.aborted) return;
    const canary = feed.canary(namespace, name);
    if (canary === undefined) {
      input.send({ type: 'error', message: `Canary "${name}" in namespace "${namespace}" was deleted` });
      return;
    }
    input.send({
      type: 'detail',
      detail: canaryDetail({
        canary,
        events: events.cache?.list(namespace) ?? [],
        approvals: approvals.cache?.list(namespace) ?? [],
        templates: templates.templates,
        weightHistory: feed.weightHistory(namespace, name),
        permission,
        notes: [events.note, approvals.note, ...templates.notes].filter((n): n is string => n !== undefined),
        now: now(),
      }),
    });
  };
  const schedule = (): void => {
    timer ??= setTimeout(send, COALESCE_MS);
  };
  const unsubscribe = feed.onCanaryChange((event) => {
    if (event.object.metadata.namespace === namespace && event.object.metadata.name === name) schedule();
  });
  events.cache?.onChange(schedule);
  approvals.cache?.onChange(schedule);
  send();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
  unsubscribe();
  if (timer !== undefined) clearTimeout(timer);
  await Promise.all([events.cache?.stop(), approvals.cache?.stop()]);
}

/** The templates of a Canary, for the history endpoint. */
export { readTemplates };
