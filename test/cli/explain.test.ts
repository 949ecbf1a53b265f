import { describe, expect, it } from 'vitest';
import { explain, explainedKinds, wrap, type SchemaNode } from '../../src/cli/explain.ts';
import { runCliCaptured } from '../../src/main.ts';

/** Every field path of a kind, e.g. canary.spec.steps.analysis (lists are walked through their items). */
function fieldPaths(node: SchemaNode, prefix: string): [string, SchemaNode][] {
  const holder = node.items ?? node;
  return Object.entries(holder.properties ?? {}).flatMap(([name, sub]): [string, SchemaNode][] => [
    [`${prefix}.${name}`, sub],
    ...fieldPaths(sub, `${prefix}.${name}`),
  ]);
}

const ALL_PATHS = explainedKinds().flatMap((kind) => fieldPaths(kind.schema, kind.names.singular));

describe('serin explain', () => {
  it('prints the description of canary.spec.steps.analysis and its fields, as kubectl explain does', async () => {
    const run = await runCliCaptured(['explain', 'canary.spec.steps.analysis']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^GROUP: {6}serin\.dev\nKIND: {7}Canary\nVERSION: {4}v1alpha1\n\nFIELD: analysis <Object>\n\n\nDESCRIPTION:\n {4}Run the templates' metrics/,
    );
    expect(run.stdout).toContain(
      '  templates\t<[]Object> -required-\n    The templates whose metrics run together',
    );
    expect(run.stdout).toContain('  onFailure\t<string>\n  enum: Abort, Pause\n');
  });

  it('accepts the kind, plural, singular and short name in any case', () => {
    const texts = ['Canary', 'canaries', 'canary', 'scn', 'CANARY'].map((name) => explain(`${name}.spec`));
    expect(new Set(texts.map((result) => JSON.stringify(result))).size).toBe(1);
    expect(texts[0]?.kind).toBe('text');
  });

  it('shows an enum field, its values, and the examples in its description', () => {
    const result = explain('analysistemplate.spec.metrics.successCondition');
    expect(result.kind === 'text' && result.text).toContain('Example: result < 0.01');
    const onFailure = explain('canary.spec.onFailure');
    expect(onFailure.kind === 'text' && onFailure.text).toContain(
      'ENUM:\n    Abort\n    Pause\n\nDESCRIPTION:',
    );
  });

  it.each(ALL_PATHS.map(([path, node]) => [path, node.description ?? ''] as const))(
    'explains %s with its own description',
    (path, description) => {
      const result = explain(path);
      expect(result.kind).toBe('text');
      const firstLine = wrap(description)[0] ?? '';
      expect(firstLine).not.toBe('');
      expect(result.kind === 'text' && result.text).toContain(`DESCRIPTION:\n    ${firstLine}`);
    },
  );

  it('refuses an unknown field with the fields that exist, exit 1', async () => {
    const run = await runCliCaptured(['explain', 'canary.spec.stpes']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain(
      'serin explain: field "stpes" does not exist in Canary.spec: its fields are',
    );
    expect(run.stderr).toContain('steps');
  });

  it('refuses an unknown kind with the kinds it knows, exit 1', async () => {
    const run = await runCliCaptured(['explain', 'rollout.spec']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'serin explain: unknown kind "rollout"; serin\'s kinds are Canary (canaries, scn), AnalysisTemplate ' +
        '(analysistemplates, sat), ClusterAnalysisTemplate (clusteranalysistemplates, scat), Approval (approvals, sap)\n',
    );
  });

  it('refuses a field below a field that has none', () => {
    expect(explain('canary.spec.suspend.x')).toEqual({
      kind: 'unknownField',
      message: 'field "x" does not exist in Canary.spec.suspend: it has no fields',
    });
  });

  it('--help names the exit codes; no argument is a usage error (exit 2)', async () => {
    const help = await runCliCaptured(['explain', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 explained, 1 unknown kind or field, 2 usage.');
    expect((await runCliCaptured(['explain'])).code).toBe(2);
  });

  it('wraps at 76 columns like kubectl, keeping a longer word whole', () => {
    expect(wrap(`${'a '.repeat(40)}b`)).toEqual([`${'a '.repeat(37)}a`, 'a a b']);
    expect(wrap(`x ${'y'.repeat(90)} z`)).toEqual(['x', 'y'.repeat(90), 'z']);
  });
});
