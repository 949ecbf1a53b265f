import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ObjectStore, type CacheEvent } from './object-store.ts';
import { withoutManagedFields } from './strip.ts';
import type { KubeObject, ObjectMeta } from './types.ts';

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

  it('stores every object through the transform, from upserts and re-lists alike', () => {
    const store = new ObjectStore<KubeObject>({ transform: withoutManagedFields });
    const managed = (name: string, rv: string): KubeObject => {
      const o = obj(name, rv);
      return { ...o, metadata: { ...o.metadata, managedFields: [{ manager: 'kubectl' }] } as ObjectMeta };
    };
    store.upsert(managed('x', '1'));
    store.replace([managed('x', '2'), managed('y', '1')]);
    for (const held of store.list()) expect('managedFields' in held.metadata).toBe(false);
    expect(store.list().map((o) => `${o.metadata.name ?? ''}@${o.metadata.resourceVersion ?? ''}`)).toEqual([
      'x@2',
      'y@1',
    ]);
  });

  it('finds objects by index key, following updates, deletions and re-lists', () => {
    const owner = (name: string, rv: string, canary: string): KubeObject => ({
      ...obj(name, rv),
      spec: { canary },
    });
    const store = new ObjectStore<KubeObject>({
      index: (o) => [(o.spec as { canary: string }).canary],
    });
    const names = (key: string) => store.byIndex(key).map((o) => o.metadata.name);
    store.upsert(owner('a1', '1', 'one'));
    store.upsert(owner('a2', '1', 'one'));
    store.upsert(owner('b1', '1', 'two'));
    expect(names('one')).toEqual(['a1', 'a2']);
    store.upsert(owner('a2', '2', 'two'));
    expect(names('one')).toEqual(['a1']);
    expect(names('two')).toEqual(['b1', 'a2']);
    store.remove(owner('a1', '1', 'one'));
    expect(names('one')).toEqual([]);
    store.replace([owner('b1', '1', 'two')]);
    expect(names('two')).toEqual(['b1']);
    expect(names('three')).toEqual([]);
  });

  it('lists a namespace as the whole store filtered by namespace, in the same order, whatever was written', () => {
    const name = fc.constantFrom('p', 'q', 'r', 's');
    const namespace = fc.constantFrom('a', 'b', 'c');
    const item = fc.tuple(name, namespace, fc.nat(3)).map(([n, ns, rv]) => obj(n, String(rv), ns));
    const op = fc.oneof(
      item.map((o) => ({ kind: 'upsert' as const, o })),
      item.map((o) => ({ kind: 'remove' as const, o })),
      fc.array(item, { maxLength: 6 }).map((items) => ({ kind: 'replace' as const, items })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const store = new ObjectStore<KubeObject>();
        for (const step of ops) {
          if (step.kind === 'upsert') store.upsert(step.o);
          else if (step.kind === 'remove') store.remove(step.o);
          else store.replace(step.items);
        }
        for (const ns of ['a', 'b', 'c', 'none']) {
          expect(store.list(ns)).toEqual(store.list().filter((o) => o.metadata.namespace === ns));
        }
      }),
    );
  });
});
