import type { CliContext } from './context.ts';
import { ONCALL_EXIT } from './oncall-exit.ts';
import { OncallFailure } from './oncall-failure.ts';

/**
 * Runs an on-call verb's body: an {@link OncallFailure} becomes one line on stderr and its exit
 * code; the body's own return value is the exit code otherwise. Other errors are bugs and propagate.
 */
export async function runOncall(ctx: CliContext, verb: string, body: () => Promise<number>): Promise<void> {
  try {
    ctx.exit(await body());
  } catch (err) {
    if (!(err instanceof OncallFailure)) throw err;
    ctx.err(`serin ${verb}: ${err.message}\n`);
    ctx.exit(err.exitCode === ONCALL_EXIT.ok ? ONCALL_EXIT.apiError : err.exitCode);
  }
}
