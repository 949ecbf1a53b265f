import type { RawSeries } from './degrade.ts';

/**
 * Raw series as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: one family
 * per metric name (type `unknown`, so any name is accepted), samples with their own timestamps.
 */

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** The text, ending in `# EOF`. */
export function toOpenMetrics(series: readonly RawSeries[]): string {
  const byName = new Map<string, RawSeries[]>();
  for (const s of series) {
    const name = s.labels.__name__ ?? '';
    if (name === '' || s.samples.length === 0) continue;
    byName.set(name, [...(byName.get(name) ?? []), s]);
  }
  const lines: string[] = [];
  for (const [name, members] of byName) {
    lines.push(`# TYPE ${name} unknown`);
    for (const s of members) {
      const labels = Object.entries(s.labels)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      const head = labels === '' ? name : `${name}{${labels}}`;
      for (const sample of s.samples) lines.push(`${head} ${sample.v} ${(sample.t / 1000).toFixed(3)}`);
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
