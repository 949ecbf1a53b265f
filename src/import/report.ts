/**
 * The import report: for every input object, what became of each of its fields. `kept` and
 * `added` are lossless; `changed` (converted, but the meaning differs, with why) and `dropped`
 * (with why) are the losses that make `serin import` exit 1.
 */

export type ItemOutcome = 'kept' | 'changed' | 'dropped' | 'added';

/** One field of an input object and what became of it. */
export interface ReportItem {
  readonly outcome: ItemOutcome;
  /** Field path in the input object, e.g. `spec.metrics[0].successCondition`. */
  readonly path: string;
  readonly message: string;
}

/**
 * `converted`: every field kept; `lossy`: converted with changed or dropped fields; `not-converted`:
 * nothing written for it; `passed-through` / `omitted`: not an Argo or Flagger object, written
 * unchanged or left out (`--only-converted`).
 */
export type ObjectOutcome = 'converted' | 'lossy' | 'not-converted' | 'passed-through' | 'omitted';

/** Where an input object came from and what it is. */
export interface SourceRef {
  readonly file?: string;
  /** 1-based document number in the file. */
  readonly document?: number;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface ObjectReport {
  readonly source: SourceRef;
  readonly outcome: ObjectOutcome;
  /** `Kind/name` of each object written for it. */
  readonly outputs: readonly string[];
  readonly items: readonly ReportItem[];
}

/** Collects the report items of one input object. */
export class ItemLog {
  readonly items: ReportItem[] = [];

  kept(path: string, message: string): void {
    this.items.push({ outcome: 'kept', path, message });
  }

  changed(path: string, message: string): void {
    this.items.push({ outcome: 'changed', path, message });
  }

  dropped(path: string, message: string): void {
    this.items.push({ outcome: 'dropped', path, message });
  }

  added(path: string, message: string): void {
    this.items.push({ outcome: 'added', path, message });
  }

  /** Reports every key of `value` not in `handled` as dropped: an unknown field is never lost silently. */
  unhandled(
    value: Readonly<Record<string, unknown>>,
    handled: readonly string[],
    path: string,
    reason?: string,
  ): void {
    for (const key of Object.keys(value)) {
      if (handled.includes(key)) continue;
      this.dropped(join(path, key), reason ?? 'not a field the importer knows; serin has no equivalent');
    }
  }

  get lossy(): boolean {
    return this.items.some((item) => item.outcome === 'changed' || item.outcome === 'dropped');
  }
}

/** `a.b`, or `b` when the base is empty. */
export function join(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}
