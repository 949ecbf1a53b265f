import type { Command } from 'commander';
import { registerActionVerb } from './approval-verb.ts';
import type { CliContext } from './context.ts';

const ABORT_DESCRIPTION =
  "Abort a Canary's rollout (Progressing, Paused or Promoting): canary weight to 0 first, then scaled down.";

/** Adds `serin abort`: one Approval, created for the Canary's live revision and step. */
export function registerAbort(program: Command, ctx: CliContext): void {
  registerActionVerb(program, ctx, {
    name: 'abort',
    description: ABORT_DESCRIPTION,
    action: () => 'Abort',
  });
}
