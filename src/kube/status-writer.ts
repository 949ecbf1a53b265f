import type { KubeClient } from './client.ts';
import { createMergePatch } from './merge-patch.ts';
import { refOf, type KubeObject } from './types.ts';

/** What a status write did. */
export type StatusWriteResult<T extends KubeObject> =
  | { kind: 'written'; object: T }
  /** The computed status equals the current one: nothing was sent. */
  | { kind: 'unchanged' };

/** Options for one status write. */
export interface StatusWriteOptions {
  /** The leader's fencing signal: when it has fired, nothing is sent. */
  signal?: AbortSignal | undefined;
  /**
   * Send `metadata.resourceVersion` of `current` so the write fails with `Conflict` if the object
   * changed since it was read (default false: status is owned by serin alone).
   */
  precondition?: boolean;
}

/**
 * Writes a controller's status: one RFC 7386 merge patch to the `/status` subresource per call,
 * computed as the difference between the status read and the status decided, so removed fields are
 * removed on the server too. The main resource (spec) is never touched.
 */
export class StatusWriter {
  readonly #client: KubeClient;

  constructor(client: KubeClient) {
    this.#client = client;
  }

  async write<T extends KubeObject>(
    current: T,
    status: Record<string, unknown>,
    opts: StatusWriteOptions = {},
  ): Promise<StatusWriteResult<T>> {
    const diff = createMergePatch(current.status ?? {}, status);
    if (diff === undefined) return { kind: 'unchanged' };
    const patch: Record<string, unknown> = { status: diff };
    const rv = current.metadata.resourceVersion;
    if (opts.precondition === true && rv !== undefined) patch.metadata = { resourceVersion: rv };
    const object = await this.#client.mergePatch<T>(refOf(current), patch, {
      subresource: 'status',
      signal: opts.signal,
    });
    return { kind: 'written', object };
  }
}
