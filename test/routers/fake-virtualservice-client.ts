import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { VirtualServiceClientError } from '../../src/routers/istio/index.ts';
import type { JsonPatchOp, VirtualService, VirtualServiceClient } from '../../src/routers/istio/index.ts';

/** A hook run before a patch is applied: edit the stored object (a concurrent writer) or throw. */
export type PatchHook = (stored: VirtualService, ops: readonly JsonPatchOp[]) => void;

/**
 * An in-memory VirtualServiceClient that behaves like the API server where the router depends on
 * it: a failed `test` op is a 422, a write bumps `resourceVersion` unless nothing changed, and
 * objects are copied in and out.
 */
export class FakeVirtualServices implements VirtualServiceClient {
  readonly objects = new Map<string, VirtualService>();
  readonly patches: { namespace: string; name: string; ops: readonly JsonPatchOp[] }[] = [];
  reads = 0;
  #rv = 100;
  /** Run (and removed) before the next patches, in order. */
  readonly beforePatch: PatchHook[] = [];
  /** Run after every successful patch (e.g. a mutating webhook). */
  afterPatch: ((stored: VirtualService) => void) | undefined;

  put(vs: VirtualService): void {
    const copy = structuredClone(vs);
    copy.metadata.resourceVersion = String(++this.#rv);
    this.objects.set(`${vs.metadata.namespace ?? ''}/${vs.metadata.name ?? ''}`, copy);
  }

  stored(namespace: string, name: string): VirtualService {
    const vs = this.objects.get(`${namespace}/${name}`);
    if (vs === undefined) throw new Error(`no ${namespace}/${name}`);
    return vs;
  }

  /** Edits a stored object as another writer would (bumps resourceVersion). */
  edit(namespace: string, name: string, change: (vs: VirtualService) => void): void {
    const vs = this.stored(namespace, name);
    change(vs);
    vs.metadata.resourceVersion = String(++this.#rv);
  }

  get(namespace: string, name: string, signal?: AbortSignal): Promise<VirtualService> {
    this.reads++;
    if (signal?.aborted === true) return Promise.reject(new DOMException('aborted', 'AbortError'));
    const vs = this.objects.get(`${namespace}/${name}`);
    if (vs === undefined)
      return Promise.reject(new VirtualServiceClientError(404, `virtualservices "${name}" not found`));
    return Promise.resolve(structuredClone(vs));
  }

  jsonPatch(
    namespace: string,
    name: string,
    ops: readonly JsonPatchOp[],
    signal?: AbortSignal,
  ): Promise<VirtualService> {
    this.patches.push({ namespace, name, ops });
    if (signal?.aborted === true) return Promise.reject(new DOMException('aborted', 'AbortError'));
    const key = `${namespace}/${name}`;
    const current = this.objects.get(key);
    if (current === undefined) return Promise.reject(new VirtualServiceClientError(404, 'not found'));
    try {
      this.beforePatch.shift()?.(current, ops);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    let next: VirtualService;
    try {
      next = jsonpatch.applyPatch(structuredClone(current), ops as Operation[], true, false).newDocument;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return Promise.reject(
        new VirtualServiceClientError(422, `the server rejected our request: ${message}`, 'Invalid'),
      );
    }
    if (JSON.stringify(next) !== JSON.stringify(current)) next.metadata.resourceVersion = String(++this.#rv);
    this.afterPatch?.(next);
    this.objects.set(key, next);
    return Promise.resolve(structuredClone(next));
  }
}
