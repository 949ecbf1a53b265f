/**
 * How long ago `iso` was, written as kubectl writes ages (`45s`, `5m30s`, `3h`, `2d4h`), or `-`
 * when unknown. Coarser as it grows: nobody needs the seconds of a week-old object.
 */
export function ageText(iso: string | undefined, now: number): string {
  const then = iso === undefined ? Number.NaN : Date.parse(iso);
  if (!Number.isFinite(then)) return '-';
  const s = Math.max(0, Math.floor((now - then) / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (h < 3) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (d < 2) return `${h}h`;
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  return `${d}d`;
}
