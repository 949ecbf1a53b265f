/**
 * Synthetic regressions injected into a copy of the stable workload's history, to measure how
 * large a regression a template catches and how fast. The template's own queries then run
 * unchanged against the copy (a scratch Prometheus), so the PromQL, the provider, the measurement
 * rules and the limits are the production ones.
 *
 * - **Error ratio +p** (counters with a response-code label, e.g. `istio_requests_total`): in each
 *   group of series that differ only by response code, a share p of *all* the group's requests
 *   since the start of history is moved from its largest non-5xx series (the donor, usually 200)
 *   into its `500` series (created, as Istio would, at the first sample that holds one). Traffic is
 *   unchanged and the error ratio of any window rises by p. Counter resets are removed first.
 *   When the donor has fewer requests in a sample interval than the errors to add, it gives what
 *   it has (the ratio then rises by less: never by more).
 * - **Latency × k** (histograms: `*_bucket` series with an `le` label): every request takes k times
 *   as long. The new cumulative count at bound `le` is the old count at `le / k`, read by linear
 *   interpolation between the old bounds, the same assumption `histogram_quantile` makes; `+Inf`
 *   and `_count` are unchanged, `_sum` is multiplied by k. The interpolation weights do not depend
 *   on time, so the counters stay monotonic.
 */

/** A raw series as Prometheus stores it; `labels` includes `__name__`; samples in time order. */
export interface RawSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly { readonly t: number; readonly v: number }[];
}

export type Degradation =
  | { readonly kind: 'errors'; readonly add: number }
  | { readonly kind: 'latency'; readonly factor: number }
  | { readonly kind: 'none' };

/** The documented set the issue asks for, plus a control that changes nothing. */
export const DEFAULT_DEGRADATIONS: readonly Degradation[] = [
  { kind: 'none' },
  { kind: 'errors', add: 0.005 },
  { kind: 'errors', add: 0.01 },
  { kind: 'errors', add: 0.02 },
  { kind: 'errors', add: 0.05 },
  { kind: 'latency', factor: 1.2 },
  { kind: 'latency', factor: 1.5 },
  { kind: 'latency', factor: 2 },
];

/** `error ratio +0.5%`, `latency ×1.5`, `control (no change)`. */
export function degradationName(d: Degradation): string {
  switch (d.kind) {
    case 'none':
      return 'control (no change)';
    case 'errors':
      return `error ratio +${Number((d.add * 100).toPrecision(6))}%`;
    case 'latency':
      return `latency ×${d.factor}`;
  }
}

export interface DegradeOptions {
  /** The label holding the HTTP status (Istio: response_code). */
  readonly codeLabel: string;
}

export const DEFAULT_DEGRADE_OPTIONS: DegradeOptions = { codeLabel: 'response_code' };

/** The copy of `series` with the degradation applied, and how many series it changed. */
export function degrade(
  series: readonly RawSeries[],
  degradation: Degradation,
  options: DegradeOptions = DEFAULT_DEGRADE_OPTIONS,
): { series: RawSeries[]; changed: number } {
  switch (degradation.kind) {
    case 'none':
      return { series: [...series], changed: 0 };
    case 'errors':
      return injectErrors(series, degradation.add, options.codeLabel);
    case 'latency':
      return scaleLatency(series, degradation.factor);
  }
}

const isError = (code: string | undefined): boolean => code !== undefined && /^5\d\d$/.test(code);

function keyWithout(labels: Readonly<Record<string, string>>, omit: string): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== omit)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

/** Cumulative values with counter resets removed (a drop counts the new value as the increase). */
export function withoutResets(samples: RawSeries['samples']): { t: number; v: number }[] {
  const out: { t: number; v: number }[] = [];
  let previous: number | undefined;
  let total = 0;
  for (const s of samples) {
    total += previous === undefined ? s.v : s.v >= previous ? s.v - previous : s.v;
    previous = s.v;
    out.push({ t: s.t, v: total });
  }
  return out;
}

/** The value of a cumulative series at each time of `times`, carried forward (0 before birth). */
function alignedValues(samples: readonly { t: number; v: number }[], times: readonly number[]): number[] {
  const values: number[] = [];
  let i = -1;
  for (const t of times) {
    while (i + 1 < samples.length && (samples[i + 1] as { t: number }).t <= t) i++;
    values.push(i < 0 ? 0 : (samples[i] as { v: number }).v);
  }
  return values;
}

function groupBy(
  series: readonly RawSeries[],
  key: (s: RawSeries) => string | undefined,
): Map<string, RawSeries[]> {
  const groups = new Map<string, RawSeries[]>();
  for (const s of series) {
    const k = key(s);
    if (k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return groups;
}

function injectErrors(series: readonly RawSeries[], add: number, codeLabel: string) {
  const groups = groupBy(series, (s) =>
    s.labels[codeLabel] === undefined ? undefined : keyWithout(s.labels, codeLabel),
  );
  const replaced = new Map<RawSeries, RawSeries | undefined>();
  const born: RawSeries[] = [];
  for (const members of groups.values()) {
    const donor = largestNonError(members, codeLabel);
    if (donor === undefined) continue;
    const times = [...new Set(members.flatMap((m) => m.samples.map((s) => s.t)))].sort((a, b) => a - b);
    const cumulative = new Map(
      members.map((m) => [m, alignedValues(withoutResets(m.samples), times)] as const),
    );
    const total = times.map((_, i) => members.reduce((sum, m) => sum + (cumulative.get(m)?.[i] ?? 0), 0));
    const donorValues = cumulative.get(donor) ?? [];
    const moved: number[] = [];
    let sofar = 0;
    times.forEach((_, i) => {
      // Each interval moves a share of its own requests, no more than the donor received in it.
      const requests = (total[i] ?? 0) - (total[i - 1] ?? 0);
      const available = (donorValues[i] ?? 0) - (donorValues[i - 1] ?? 0);
      sofar += Math.max(0, Math.min(add * requests, available));
      moved.push(sofar);
    });
    const donorTimes = new Set(donor.samples.map((s) => s.t));
    replaced.set(donor, {
      labels: donor.labels,
      samples: times
        .map((t, i) => ({ t, v: (donorValues[i] ?? 0) - (moved[i] ?? 0) }))
        .filter((s) => donorTimes.has(s.t)),
    });
    const target = members.find((m) => m.labels[codeLabel] === '500');
    const targetValues = target === undefined ? undefined : cumulative.get(target);
    const errors = times
      .map((t, i) => ({ t, v: (targetValues?.[i] ?? 0) + (moved[i] ?? 0) }))
      .filter((s) => s.v > 0);
    if (target === undefined) born.push({ labels: { ...donor.labels, [codeLabel]: '500' }, samples: errors });
    else replaced.set(target, { labels: target.labels, samples: errors });
  }
  const out = series
    .map((s) => (replaced.has(s) ? replaced.get(s) : s))
    .filter((s): s is RawSeries => s !== undefined);
  return {
    series: [...out, ...born.filter((s) => s.samples.length > 0)],
    changed: replaced.size + born.length,
  };
}

function largestNonError(members: readonly RawSeries[], codeLabel: string): RawSeries | undefined {
  let best: RawSeries | undefined;
  let most = -1;
  for (const m of members) {
    if (isError(m.labels[codeLabel])) continue;
    const last = withoutResets(m.samples).at(-1)?.v ?? 0;
    if (last > most) {
      most = last;
      best = m;
    }
  }
  return best;
}

function bound(le: string | undefined): number {
  if (le === undefined) return NaN;
  return le === '+Inf' ? Infinity : Number(le);
}

/** The cumulative count at x, by linear interpolation between finite bounds (0 below the first). */
export function interpolateCumulative(
  bounds: readonly number[],
  counts: readonly number[],
  x: number,
): number {
  let lowerBound = 0;
  let lowerCount = 0;
  for (let j = 0; j < bounds.length; j++) {
    const upper = bounds[j] as number;
    const count = counts[j] as number;
    if (x <= upper) {
      if (!Number.isFinite(upper)) return lowerCount;
      if (upper <= lowerBound) return count;
      return lowerCount + ((count - lowerCount) * (x - lowerBound)) / (upper - lowerBound);
    }
    lowerBound = upper;
    lowerCount = count;
  }
  return lowerCount;
}

function scaleLatency(series: readonly RawSeries[], factor: number) {
  const histogramKey = (s: RawSeries): string | undefined => {
    const name = s.labels.__name__ ?? '';
    if (!name.endsWith('_bucket') || s.labels.le === undefined) return undefined;
    return keyWithout({ ...s.labels, __name__: name.slice(0, -'_bucket'.length) }, 'le');
  };
  const replaced = new Map<RawSeries, RawSeries>();
  const groups = groupBy(series, histogramKey);
  for (const buckets of groups.values()) {
    const sorted = [...buckets].sort((a, b) => bound(a.labels.le) - bound(b.labels.le));
    const bounds = sorted.map((b) => bound(b.labels.le));
    const times = [...new Set(sorted.flatMap((b) => b.samples.map((s) => s.t)))].sort((a, b) => a - b);
    const values = sorted.map((b) => alignedValues(withoutResets(b.samples), times));
    sorted.forEach((bucket, j) => {
      const le = bounds[j] as number;
      const own = new Set(bucket.samples.map((s) => s.t));
      const samples = times
        .map((t, i) => {
          const counts = values.map((v) => v[i] ?? 0);
          const v = Number.isFinite(le)
            ? interpolateCumulative(bounds, counts, le / factor)
            : (counts[j] ?? 0);
          return { t, v };
        })
        .filter((s) => own.has(s.t));
      replaced.set(bucket, { labels: bucket.labels, samples });
    });
  }
  for (const s of series) {
    const name = s.labels.__name__ ?? '';
    if (!name.endsWith('_sum')) continue;
    if (!groups.has(keyWithout({ ...s.labels, __name__: name.slice(0, -'_sum'.length) }, 'le'))) continue;
    const samples = withoutResets(s.samples).map((x) => ({ t: x.t, v: x.v * factor }));
    replaced.set(s, { labels: s.labels, samples });
  }
  return { series: series.map((s) => replaced.get(s) ?? s), changed: replaced.size };
}
