import type { Command } from 'commander';
import { registerActionVerb } from './approval-verb.ts';
import type { CliContext } from './context.ts';

const RETRY_DESCRIPTION =
  "Restart an Aborted or Failed Canary's revision from step 1 (an Approval Retry; new analysis runs).";

/** Adds `serin retry`: one Approval, created for the Canary's live revision and step. */
export function registerRetry(program: Command, ctx: CliContext): void {
  registerActionVerb(program, ctx, {
    name: 'retry',
    description: RETRY_DESCRIPTION,
    action: () => 'Retry',
  });
}
