import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../main.ts';

describe('serin controller --prometheus-concurrency', () => {
  it.each(['0', '-1', '2.5', 'many'])('refuses %s with exit 2 before contacting anything', async (value) => {
    const run = await runCliCaptured([
      'controller',
      '--kubeconfig',
      '/nonexistent',
      '--prometheus-concurrency',
      value,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `serin controller: --prometheus-concurrency must be a positive integer (got "${value}")\n`,
    );
  });

  it('is listed in the help with its default', async () => {
    const run = await runCliCaptured(['controller', '--help']);
    expect(run.stdout).toMatch(/--prometheus-concurrency <n>[\s\S]*\(default: "8"\)/);
  });
});
