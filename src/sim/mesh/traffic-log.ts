/**
 * An exact, bounded record of where requests went: one entry per routing decision, in decision
 * order, so "how many requests went to each workload since t" is answered exactly (as long as the
 * entries since t have not been overwritten).
 */

/** Counts for one workload. */
export interface WorkloadTraffic {
  total: number;
  /** Answers with a 5xx code. */
  errors: number;
  /** By response code; `pending` for requests still in flight. */
  byCode: Record<string, number>;
}

/** Traffic since a point in time. */
export interface TrafficCounts {
  /** Requests routed to a workload, keyed `namespace/name`. */
  byWorkload: Record<string, WorkloadTraffic>;
  /** Requests the mesh could not deliver, by reason. */
  unrouted: Record<string, number>;
  total: number;
  /** False when older entries were overwritten, so counts since `since` are a lower bound. */
  complete: boolean;
}

/** Where one request went: a workload (`namespace/name`) or, when unrouted, the reason. */
export type Destination = { workload: string } | { unrouted: string };

const PENDING = 0;

/** The ring buffer behind {@link TrafficCounts}. */
export class TrafficLog {
  readonly #capacity: number;
  readonly #at: Float64Array;
  readonly #dest: Int32Array;
  readonly #code: Int16Array;
  readonly #keys: Destination[] = [];
  readonly #keyIndex = new Map<string, number>();
  #written = 0;
  /** Decision time of the newest entry overwritten so far (-Infinity: none yet). */
  #lastDroppedAt = Number.NEGATIVE_INFINITY;

  constructor(capacity = 1 << 18) {
    this.#capacity = capacity;
    this.#at = new Float64Array(capacity);
    this.#dest = new Int32Array(capacity);
    this.#code = new Int16Array(capacity);
  }

  /** Records a routing decision at time `at` (ms); returns a ticket for {@link complete}. */
  record(at: number, destination: Destination, code?: number): number {
    const seq = this.#written++;
    const slot = seq % this.#capacity;
    if (seq >= this.#capacity) this.#lastDroppedAt = this.#at[slot] ?? this.#lastDroppedAt;
    this.#at[slot] = at;
    this.#dest[slot] = this.#intern(destination);
    this.#code[slot] = code ?? PENDING;
    return seq;
  }

  /** Sets the response code of the request behind `ticket` (ignored if it has been overwritten). */
  complete(ticket: number, code: number): void {
    if (this.#written - ticket > this.#capacity) return;
    this.#code[ticket % this.#capacity] = code;
  }

  /** Counts of every request decided at or after `since` (ms). */
  since(since: number): TrafficCounts {
    const out: TrafficCounts = { byWorkload: {}, unrouted: {}, total: 0, complete: true };
    const oldest = Math.max(0, this.#written - this.#capacity);
    for (let seq = this.#written - 1; seq >= oldest; seq--) {
      const slot = seq % this.#capacity;
      if ((this.#at[slot] ?? 0) < since) break;
      this.#count(out, this.#keys[this.#dest[slot] ?? 0], this.#code[slot] ?? PENDING);
    }
    out.complete = this.#lastDroppedAt < since;
    return out;
  }

  #count(out: TrafficCounts, dest: Destination | undefined, code: number): void {
    if (dest === undefined) return;
    out.total++;
    if ('unrouted' in dest) {
      out.unrouted[dest.unrouted] = (out.unrouted[dest.unrouted] ?? 0) + 1;
      return;
    }
    const w = (out.byWorkload[dest.workload] ??= { total: 0, errors: 0, byCode: {} });
    w.total++;
    if (code >= 500) w.errors++;
    const label = code === PENDING ? 'pending' : String(code);
    w.byCode[label] = (w.byCode[label] ?? 0) + 1;
  }

  #intern(dest: Destination): number {
    const key = 'workload' in dest ? `w:${dest.workload}` : `u:${dest.unrouted}`;
    let index = this.#keyIndex.get(key);
    if (index === undefined) {
      index = this.#keys.length;
      this.#keys.push(dest);
      this.#keyIndex.set(key, index);
    }
    return index;
  }
}
