import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/index.ts';
import { specChanged } from './controller.ts';

const canary = (generation: number, status: unknown, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'serin.dev/v1alpha1',
  kind: 'Canary',
  metadata: {
    name: 'podinfo',
    namespace: 'test',
    generation,
    labels,
    resourceVersion: String(Math.random()),
  },
  status,
});

describe('which Canary updates need a pass', () => {
  it("ignores serin's own status writes", () => {
    expect(specChanged(canary(3, { phase: 'Idle' }), canary(3, { phase: 'Progressing' }))).toBe(false);
  });

  it('reacts to a new generation (spec) and to label changes', () => {
    expect(specChanged(canary(3, {}), canary(4, {}))).toBe(true);
    expect(specChanged(canary(3, {}), canary(3, {}, { team: 'web' }))).toBe(true);
  });
});
