import type { Command } from 'commander';
import { registerActionVerb } from './approval-verb.ts';
import type { CliContext } from './context.ts';

const RESUME_DESCRIPTION =
  'Continue a Paused Canary (an Approval Resume); for a pause {} step this is the same as promote.';

/** Adds `serin resume`: one Approval, created for the Canary's live revision and step. */
export function registerResume(program: Command, ctx: CliContext): void {
  registerActionVerb(program, ctx, {
    name: 'resume',
    description: RESUME_DESCRIPTION,
    action: () => 'Resume',
  });
}
