import { judgeMetric } from '../../src/judge/index.ts';
import { normalSample } from '../judge/random.ts';

function time(label: string, n: number, method: 'auto' | 'asymptotic' | 'exact'): void {
  const baseline = normalSample(n, 100, 5, 1);
  const canary = normalSample(n, 101, 5, 2);
  judgeMetric(baseline, canary, { method }); // warm-up, so the JIT is not timed
  const runs = n >= 100_000 ? 3 : 20;
  const started = performance.now();
  let classification = '';
  for (let i = 0; i < runs; i++) classification = judgeMetric(baseline, canary, { method }).classification;
  const ms = (performance.now() - started) / runs;
  console.log(`${label.padEnd(44)} ${ms.toFixed(2).padStart(9)} ms  (${classification})`);
}

/** Prints the time to judge samples of 1,000 and 100,000 points per side. */
export async function run(): Promise<void> {
  await Promise.resolve();
  time('judge 40 per side (exact)', 40, 'auto');
  time('judge 200 per side (exact)', 200, 'exact');
  time('judge 1,000 per side (asymptotic)', 1_000, 'auto');
  time('judge 100,000 per side (asymptotic)', 100_000, 'auto');
}
