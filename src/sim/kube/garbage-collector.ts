/**
 * A stand-in for kube-controller-manager's garbage collector and namespace controller: deletes
 * dependents whose owners are gone, honours the orphan and foregroundDeletion finalizers, and
 * empties then removes terminating namespaces. It runs asynchronously after deletions, as the
 * real controllers do, so clients can observe the owner gone before its dependents.
 */
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from './deletion.ts';
import type { Registry } from './registry.ts';
import type { Store } from './store.ts';
import type { KubeObject, ResourceType } from './types.ts';

interface Entry {
  type: ResourceType;
  obj: KubeObject;
}

/** Runs garbage collection passes until nothing changes. */
export class GarbageCollector {
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly now: () => string,
  ) {}

  /** Schedules a pass (coalesced). */
  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      for (let i = 0; i < 100 && this.pass(); i += 1) {
        // each pass may expose more work (cascades); bounded so a bug cannot spin forever
      }
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private entries(): Entry[] {
    // Read-only views: every change below is made on a structuredClone and written through the store.
    return this.registry.all().flatMap((type) => this.store.view(type).map((obj) => ({ type, obj })));
  }

  /** One pass; true if anything changed. */
  private pass(): boolean {
    const all = this.entries();
    const byUid = new Map(all.map((e) => [e.obj.metadata.uid ?? '', e]));
    let changed = false;
    for (const e of all) changed = this.collectDependent(e, byUid) || changed;
    for (const e of this.entries()) changed = this.finishOwner(e) || changed;
    for (const e of this.entries()) changed = this.terminateNamespace(e) || changed;
    return changed;
  }

  private collectDependent(e: Entry, byUid: Map<string, Entry>): boolean {
    const refs = e.obj.metadata.ownerReferences ?? [];
    if (refs.length === 0 || e.obj.metadata.deletionTimestamp !== undefined) return false;
    // Owners of kinds the simulator does not serve cannot be checked; the real collector would retry.
    const resolvable = refs.filter((r) => this.registry.byKind(r.apiVersion, r.kind) !== undefined);
    if (resolvable.length < refs.length) return false;
    const live = refs.filter((r) => byUid.has(r.uid));
    const orphaning = live.filter(
      (r) => byUid.get(r.uid)?.obj.metadata.finalizers?.includes(ORPHAN_FINALIZER) === true,
    );
    const deletingForeground = live.some((r) => {
      const owner = byUid.get(r.uid)?.obj;
      return (
        owner?.metadata.deletionTimestamp !== undefined &&
        owner.metadata.finalizers?.includes(FOREGROUND_FINALIZER) === true
      );
    });
    if (live.length === 0 || deletingForeground) {
      this.delete(e);
      return true;
    }
    if (live.length !== refs.length || orphaning.length > 0) {
      const keep = live.filter((r) => !orphaning.includes(r));
      const next = structuredClone(e.obj);
      if (keep.length === 0) delete next.metadata.ownerReferences;
      else next.metadata.ownerReferences = keep;
      this.store.put(e.type, next, e.obj);
      return true;
    }
    return false;
  }

  /** Removes the orphan / foregroundDeletion finalizer once the owner's dependents are handled. */
  private finishOwner(e: Entry): boolean {
    const meta = e.obj.metadata;
    if (meta.deletionTimestamp === undefined) return false;
    const uid = meta.uid ?? '';
    const dependents = this.entries().filter(
      (d) => d.obj.metadata.ownerReferences?.some((r) => r.uid === uid) === true,
    );
    const done = (meta.finalizers ?? []).filter((f) => {
      if (f === ORPHAN_FINALIZER) return dependents.length === 0;
      if (f === FOREGROUND_FINALIZER) {
        return !dependents.some((d) =>
          d.obj.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion === true),
        );
      }
      return false;
    });
    if (done.length === 0) return false;
    this.removeFinalizers(e, done);
    return true;
  }

  private terminateNamespace(e: Entry): boolean {
    if (
      e.type.group !== '' ||
      e.type.plural !== 'namespaces' ||
      e.obj.metadata.deletionTimestamp === undefined
    )
      return false;
    const ns = e.obj.metadata.name ?? '';
    const contents = this.registry
      .all()
      .filter((t) => t.namespaced)
      .flatMap((type) => this.store.view(type, ns).map((obj) => ({ type, obj })));
    if (contents.length === 0) {
      this.store.remove(e.type, e.obj);
      return true;
    }
    let changed = false;
    for (const c of contents) {
      if (c.obj.metadata.deletionTimestamp === undefined) {
        this.delete(c);
        changed = true;
      }
    }
    return changed;
  }

  private delete(e: Entry): void {
    if ((e.obj.metadata.finalizers ?? []).length > 0) {
      const next = structuredClone(e.obj);
      next.metadata.deletionTimestamp = this.now();
      next.metadata.deletionGracePeriodSeconds = 0;
      this.store.put(e.type, next, e.obj);
    } else {
      this.store.remove(e.type, e.obj);
    }
  }

  private removeFinalizers(e: Entry, names: string[]): void {
    const next = structuredClone(e.obj);
    const left = (next.metadata.finalizers ?? []).filter((f) => !names.includes(f));
    if (left.length === 0 && next.metadata.deletionTimestamp !== undefined) {
      this.store.remove(e.type, next);
      return;
    }
    next.metadata.finalizers = left;
    this.store.put(e.type, next, e.obj);
  }
}
