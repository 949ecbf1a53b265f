import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { FROM_SOURCES, modulesMatching, spawnSerin } from '../../test/harness/controller-process.ts';
import type { CliContext } from './context.ts';
import { VERBS, selectedVerb } from './index.ts';

const ctx: CliContext = {
  out: () => undefined,
  err: () => undefined,
  exit: () => undefined,
  signal: AbortSignal.abort(),
};
const VERB_MODULES = /^src\/(sim\/|cli\/(analyze|lint|judge|controller|demo)\.ts$)/;

describe('verbs load lazily', () => {
  it('the root help lists each verb with the description its own module gives it', async () => {
    for (const verb of VERBS) {
      const program = new Command('serin');
      (await verb.load())(program, ctx);
      const defined = program.commands.find((command) => command.name() === verb.name);
      expect([verb.name, defined?.description()]).toEqual([verb.name, verb.description]);
    }
  });

  it('selects the first word that is not an option, or the word after help', () => {
    expect(selectedVerb(['controller', '--kubeconfig', 'x'])?.name).toBe('controller');
    expect(selectedVerb(['--help'])).toBeUndefined();
    expect(selectedVerb(['help', 'lint'])?.name).toBe('lint');
    expect(selectedVerb(['nope'])).toBeUndefined();
  });

  it('serin --help loads no verb module, and serin lint --help loads lint but not the others', async () => {
    const root = pathToFileURL(`${process.cwd()}/`).href;
    const loaded = async (args: string[]): Promise<string[]> => {
      const run = spawnSerin(FROM_SOURCES, args, { recordLoads: true });
      expect(await run.exited).toBe(0);
      const modules = modulesMatching(run.loadedModules(), root, VERB_MODULES);
      run.cleanup();
      return modules.map((url) => url.slice(root.length));
    };
    expect(await loaded(['--help'])).toEqual([]);
    expect(await loaded(['lint', '--help'])).toEqual(['src/cli/lint.ts']);
  }, 30_000);
});
