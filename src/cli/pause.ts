import type { Command } from 'commander';
import { registerActionVerb } from './approval-verb.ts';
import type { CliContext } from './context.ts';

const PAUSE_DESCRIPTION =
  'Hold a Progressing Canary where it is (an Approval Pause); serin resume continues it.';

/** Adds `serin pause`: one Approval, created for the Canary's live revision and step. */
export function registerPause(program: Command, ctx: CliContext): void {
  registerActionVerb(program, ctx, {
    name: 'pause',
    description: PAUSE_DESCRIPTION,
    action: () => 'Pause',
  });
}
