import { ResourceCache, type CacheEvent, type KubeClient, type KubeObject } from '../kube/index.ts';

/** What to follow: a kind, in one namespace or (undefined) all of them. */
export interface FollowTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string | undefined;
}

/**
 * Calls `onChange` for every change of the target's objects until `signal` aborts, then stops the
 * watch. An informer rather than a bare watch: it resumes dropped watches and re-lists on 410, so
 * `-w` keeps going across API server restarts instead of ending silently.
 */
export async function follow<T extends KubeObject>(
  client: KubeClient,
  target: FollowTarget,
  onChange: (event: CacheEvent<T>) => void,
  signal: AbortSignal,
  /**
   * Given, it receives the informer's first list, and `onChange` only what changes after it: the
   * watch resumes from that list's version, so no change in between is lost or merged.
   */
  onSynced?: (objects: T[]) => void,
): Promise<void> {
  const cache = new ResourceCache<T>({ client, ...target });
  const aborted = new Promise<void>((resolve) => {
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
  if (onSynced === undefined) cache.onChange(onChange);
  cache.start();
  if (onSynced !== undefined) {
    const synced = await Promise.race([cache.synced.then(() => true), aborted.then(() => false)]);
    if (synced) {
      // In the same turn as the list: no watch event can arrive between the two.
      onSynced(cache.list(target.namespace));
      cache.onChange(onChange);
    }
  }
  await aborted;
  await cache.stop();
}
