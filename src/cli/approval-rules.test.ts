import { describe, expect, it } from 'vitest';
import { APPROVAL_RULES } from './approval-rules.ts';

describe('the Retry rule (as the machine applies it)', () => {
  const refuse = APPROVAL_RULES.Retry.refuse;
  it('retries an aborted or failed rollout whatever the pause reason', () => {
    expect(refuse?.({ phase: 'Aborted', pauseReason: undefined, reason: undefined })).toBeNull();
    expect(refuse?.({ phase: 'Failed', pauseReason: undefined, reason: undefined })).toBeNull();
  });

  it('in Paused, retries only after a failed analysis', () => {
    expect(refuse?.({ phase: 'Paused', pauseReason: 'AnalysisFailed', reason: undefined })).toBeNull();
    expect(refuse?.({ phase: 'Paused', pauseReason: 'Manual', reason: undefined })).toMatch(
      /paused \(Manual\)/,
    );
    expect(refuse?.({ phase: 'Paused', pauseReason: undefined, reason: undefined })).toMatch(
      /no reason given/,
    );
  });
});
