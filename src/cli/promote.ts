import type { Command } from 'commander';
import { registerActionVerb } from './approval-verb.ts';
import type { CliContext } from './context.ts';

const PROMOTE_DESCRIPTION =
  'Continue a paused Canary (an Approval Promote for its revision and step); --full skips the remaining steps and analyses (PromoteFull).';

/** Adds `serin promote`: one Approval, created for the Canary's live revision and step. */
export function registerPromote(program: Command, ctx: CliContext): void {
  registerActionVerb(program, ctx, {
    name: 'promote',
    description: PROMOTE_DESCRIPTION,
    action: (flags) => (flags.full === true ? 'PromoteFull' : 'Promote'),
    options: (command) => {
      command.option(
        '--full',
        'skip the remaining steps and analyses and promote now (Progressing or Paused)',
      );
    },
  });
}
