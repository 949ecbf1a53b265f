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
): Promise<void> {
  const cache = new ResourceCache<T>({ client, ...target });
  cache.onChange(onChange);
  cache.start();
  if (!signal.aborted) {
    await new Promise<void>((resolve) => {
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
    });
  }
  await cache.stop();
}
