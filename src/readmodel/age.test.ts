import { describe, expect, it } from 'vitest';
import { ageText } from './age.ts';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString();

describe('ageText', () => {
  it('writes ages as kubectl does, coarser as they grow', () => {
    expect(
      [45, 150, 600, 7200, 5 * 3600 + 60 * 7, 30 * 3600, 3 * 86400 + 4 * 3600, 20 * 86400].map((s) =>
        ageText(ago(s), NOW),
      ),
    ).toEqual(['45s', '2m30s', '10m', '120m', '5h7m', '30h', '3d4h', '20d']);
  });

  it('is a dash when the time is unknown or unreadable', () => {
    expect([ageText(undefined, NOW), ageText('yesterday', NOW)]).toEqual(['-', '-']);
  });
});
