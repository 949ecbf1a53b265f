/**
 * Measurement values as text, so that ±Inf and NaN survive JSON in status (JSON has no infinity).
 */

/** A number as Prometheus writes it: `+Inf`, `-Inf`, `NaN`, or the shortest decimal form. */
export function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return String(Number(value.toPrecision(12)));
}

/** A measurement value: one number, or a bracketed list for several series. */
export function formatValue(value: number | readonly number[]): string {
  return typeof value === 'number' ? formatNumber(value) : `[${value.map(formatNumber).join(', ')}]`;
}

/** Reads a value written by `formatValue`; undefined when the text is not one. */
export function parseValue(text: string): number | number[] | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
    const inner = trimmed.slice(1, -1).trim();
    if (inner === '') return [];
    const items = inner.split(',').map((item) => parseNumber(item.trim()));
    return items.every((item) => item !== undefined) ? items : undefined;
  }
  return parseNumber(trimmed);
}

function parseNumber(text: string): number | undefined {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}
