import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC, renderDoc } from './render-docs.ts';

describe('docs/notifications.md', () => {
  it('shows the real message of each event that the controller test recorded', () => {
    const current = readFileSync(DOC, 'utf8');
    const rendered = renderDoc(current);
    if (process.env.SERIN_UPDATE_GOLDEN === '1') writeFileSync(DOC, rendered);
    expect(rendered).toBe(readFileSync(DOC, 'utf8'));
  });
});
