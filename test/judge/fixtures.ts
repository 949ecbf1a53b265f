import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Reads a JSON fixture from test/fixtures/judge (see generate.py there for their origin). */
export function judgeFixture(name: string): unknown {
  const url = new URL(`../fixtures/judge/${name}`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8'));
}

/** |actual - expected| <= tolerance · |expected| (exact equality for expected 0). */
export function relativeError(actual: number, expected: number): number {
  if (expected === 0) return Math.abs(actual);
  return Math.abs(actual - expected) / Math.abs(expected);
}

export interface ScipyCase {
  name: string;
  origin: string;
  canary: number[];
  baseline: number[];
  tests: { method: 'exact' | 'asymptotic'; u: number; pValue: number; pValueRational?: string }[];
  hodgesLehmann: number;
  intervals: { method: 'exact' | 'asymptotic'; lower: number; upper: number; confidence: number }[];
  meanRatio: number | null;
  cles: number;
}
