/**
 * Durations as Argo Rollouts and Flagger write them (Go's time.ParseDuration: `1m30s`, `1.5h`,
 * `500ms`; or whole seconds as a number) in serin's form (`1m30s`, `500ms`). Anything finer than a
 * millisecond, or not a duration, is undefined.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

function goDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  let total = 0;
  for (const part of parts) total += Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? NaN);
  return Number.isInteger(total) ? total : undefined;
}

/** Milliseconds as serin writes a duration: `90000` → `1m30s`, `1500` → `1500ms`. */
export function formatDuration(ms: number): string {
  if (ms % 1_000 !== 0) return `${ms}ms`;
  let seconds = ms / 1_000;
  if (seconds === 0) return '0s';
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const count = Math.floor(seconds / size);
    if (count > 0) out += `${count}${unit}`;
    seconds -= count * size;
  }
  return out;
}

/** A Go duration string or whole seconds, as a serin duration; undefined when it is neither. */
export function toSerinDuration(value: unknown): string | undefined {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 0 ? formatDuration(value * 1_000) : undefined;
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value)) return formatDuration(Number(value) * 1_000);
  if (/^(\d+(ms|s|m|h))+$/.test(value)) return value;
  const ms = goDurationMs(value);
  return ms === undefined ? undefined : formatDuration(ms);
}
