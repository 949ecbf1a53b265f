import { describe, expect, it } from 'vitest';
import { ObjectStore, type CacheEvent } from './object-store.ts';
import type { KubeObject } from './types.ts';

const obj = (name: string, rv: string, ns = 'a'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, resourceVersion: rv },
});

function recording(): { store: ObjectStore<KubeObject>; seen: string[] } {
  const store = new ObjectStore<KubeObject>();
  const seen: string[] = [];
  store.subscribe(
    (e: CacheEvent<KubeObject>) =>
      seen.push(`${e.type}:${e.object.metadata.name ?? ''}@${e.object.metadata.resourceVersion ?? ''}`),
    () => undefined,
  );
  return { store, seen };
}

describe('ObjectStore', () => {
  it('does not report the same resourceVersion twice', () => {
    const { store, seen } = recording();
    store.upsert(obj('x', '1'));
    store.upsert(obj('x', '1'));
    store.upsert(obj('x', '2'));
    expect(seen).toEqual(['added:x@1', 'updated:x@2']);
  });

  it('ignores a deletion of an object it does not hold', () => {
    const { store, seen } = recording();
    store.remove(obj('ghost', '5'));
    expect(seen).toEqual([]);
  });

  it('reports objects missing from a re-list as deleted and changed ones as updated', () => {
    const { store, seen } = recording();
    store.replace([obj('keep', '1'), obj('gone', '2'), obj('change', '3')]);
    seen.length = 0;
    store.replace([obj('keep', '1'), obj('change', '7'), obj('new', '8')]);
    expect(seen.sort()).toEqual(['added:new@8', 'deleted:gone@2', 'updated:change@7']);
    expect(
      store
        .list()
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['change', 'keep', 'new']);
  });

  it('keeps namespaces apart', () => {
    const { store } = recording();
    store.upsert(obj('x', '1', 'a'));
    store.upsert(obj('x', '2', 'b'));
    expect(store.list('b')).toHaveLength(1);
    expect(store.get('a', 'x')?.metadata.resourceVersion).toBe('1');
  });

  it('keeps delivering to other handlers when one throws', () => {
    const store = new ObjectStore<KubeObject>();
    const errors: unknown[] = [];
    let delivered = 0;
    store.subscribe(
      () => {
        throw new Error('boom');
      },
      (e) => errors.push(e),
    );
    store.subscribe(
      () => delivered++,
      () => undefined,
    );
    store.upsert(obj('x', '1'));
    expect(delivered).toBe(1);
    expect(errors).toHaveLength(1);
  });
});
