import type { Command } from 'commander';
import { Option } from 'commander';
import { stringify } from 'yaml';
import type { CacheEvent, KubeObject } from '../kube/index.ts';
import { isKubeError } from '../kube/index.ts';
import {
  renderStatus,
  statusView,
  viewChanges,
  timeOfDay,
  type StatusView,
  type WaitingInput,
} from '../readmodel/index.ts';
import { clusterOptions, connect, type Cluster, type ClusterFlags } from './cluster.ts';
import type { CliContext } from './context.ts';
import { follow } from './follow.ts';
import { ONCALL_EXIT, exitCodesHelp } from './oncall-exit.ts';
import { explain } from './oncall-failure.ts';
import { readCanary } from './read-canary.ts';
import { usageExitCode } from './program.ts';
import { runOncall } from './run-oncall.ts';

const STATUS_DESCRIPTION =
  'Show one Canary: steps with a marker at the current one, weights, each metric’s recent measurements ' +
  'against its condition, approvals, Events, and what serin waits for with the command that acts on it.';

interface StatusFlags extends ClusterFlags {
  output: 'text' | 'json' | 'yaml';
  watch?: boolean;
}

const API = 'serin.dev/v1alpha1';

/** Everything the status screen is built from. */
interface Gathered {
  canary: KubeObject;
  events: Map<string, KubeObject>;
  templates: KubeObject[];
}

function templateRefs(canary: KubeObject): { kind: string; name: string }[] {
  type Ref = { templateName?: string; clusterTemplateName?: string };
  const spec = canary.spec as {
    steps?: { analysis?: { templates?: Ref[] } }[];
    analysis?: { templates?: Ref[] };
  };
  const refs = [
    ...(spec.steps ?? []).flatMap((s) => s.analysis?.templates ?? []),
    ...(spec.analysis?.templates ?? []),
  ];
  const out = new Map<string, { kind: string; name: string }>();
  for (const ref of refs) {
    if (ref.templateName !== undefined)
      out.set(`t/${ref.templateName}`, { kind: 'AnalysisTemplate', name: ref.templateName });
    if (ref.clusterTemplateName !== undefined) {
      out.set(`c/${ref.clusterTemplateName}`, {
        kind: 'ClusterAnalysisTemplate',
        name: ref.clusterTemplateName,
      });
    }
  }
  return [...out.values()];
}

/**
 * Templates only add each metric's condition to the screen: one that is missing or that RBAC hides
 * leaves the condition out rather than failing the whole status.
 */
async function readTemplates(
  cluster: Cluster,
  canary: KubeObject,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  const found = await Promise.all(
    templateRefs(canary).map(async ({ kind, name }) => {
      const namespace = kind === 'AnalysisTemplate' ? cluster.namespace : undefined;
      try {
        return await cluster.client.find(
          { apiVersion: API, kind, name, ...(namespace === undefined ? {} : { namespace }) },
          { signal },
        );
      } catch (err) {
        if (isKubeError(err, 'Forbidden')) return undefined;
        throw explain(err, { verb: 'get', resource: `${kind.toLowerCase()}s.serin.dev`, namespace, name });
      }
    }),
  );
  return found.filter((t): t is KubeObject => t !== undefined);
}

/** Events are context, not the point: when RBAC hides them the screen says so instead of failing. */
async function readEvents(
  cluster: Cluster,
  signal: AbortSignal,
): Promise<Map<string, KubeObject> | undefined> {
  try {
    const list = await cluster.client.list('v1', 'Event', { namespace: cluster.namespace, signal });
    return new Map(list.items.map((e) => [e.metadata.name ?? '', e]));
  } catch (err) {
    if (isKubeError(err, 'Forbidden')) return undefined;
    throw explain(err, { verb: 'list', resource: 'events', namespace: cluster.namespace });
  }
}

function viewOf(data: Gathered): StatusView {
  return statusView({
    canary: data.canary as unknown as WaitingInput,
    events: [...data.events.values()],
    templates: data.templates,
    now: Date.now(),
    maxEvents: 8,
  });
}

function print(ctx: CliContext, view: StatusView, format: StatusFlags['output']): void {
  if (format === 'json') ctx.out(`${JSON.stringify(view, null, 2)}\n`);
  else if (format === 'yaml') ctx.out(`---\n${stringify(view)}`);
  else ctx.out(`${renderStatus(view).join('\n')}\n`);
}

const CLEAR = '\u001b[H\u001b[2J';

/**
 * Follows the Canary and its namespace's Events. On a terminal the screen is redrawn in place; in
 * a pipe or a log, each change becomes lines of its own (the read model's `viewChanges`), so the
 * output stays readable as a record.
 */
async function watch(
  ctx: CliContext,
  cluster: Cluster,
  data: Gathered,
  flags: StatusFlags & { events: boolean },
): Promise<void> {
  const name = data.canary.metadata.name;
  let shown = viewOf(data);
  const redraw = ctx.isTTY === true && flags.output === 'text';
  const onChange = (event: CacheEvent<KubeObject>): void => {
    const obj = event.object;
    if (obj.kind === 'Canary') {
      if (obj.metadata.name !== name) return;
      if (event.type === 'deleted') {
        ctx.out(`${timeOfDay(new Date().toISOString())} Canary ${name ?? ''} was deleted\n`);
        return;
      }
      data.canary = obj;
    } else if (event.type === 'deleted') data.events.delete(obj.metadata.name ?? '');
    else data.events.set(obj.metadata.name ?? '', obj);
    const next = viewOf(data);
    if (redraw) {
      ctx.out(CLEAR);
      print(ctx, next, 'text');
    } else if (flags.output === 'text') {
      const stamp = timeOfDay(new Date().toISOString());
      for (const line of viewChanges(shown.view, next.view)) ctx.out(`${stamp} ${line}\n`);
    } else if (JSON.stringify(next) !== JSON.stringify(shown)) print(ctx, next, flags.output);
    shown = next;
  };
  await Promise.all([
    follow(
      cluster.client,
      { apiVersion: API, kind: 'Canary', namespace: cluster.namespace },
      onChange,
      ctx.signal,
    ),
    // Events RBAC hides are not followed either: the informer would retry a 403 forever.
    flags.events
      ? follow(
          cluster.client,
          { apiVersion: 'v1', kind: 'Event', namespace: cluster.namespace },
          onChange,
          ctx.signal,
        )
      : Promise.resolve(),
  ]);
}

async function status(ctx: CliContext, name: string, flags: StatusFlags): Promise<number> {
  const cluster = connect(flags);
  const canary = await readCanary(cluster, name, ctx.signal);
  const [events, templates] = await Promise.all([
    readEvents(cluster, ctx.signal),
    readTemplates(cluster, canary, ctx.signal),
  ]);
  const data: Gathered = { canary, events: events ?? new Map<string, KubeObject>(), templates };
  if (ctx.isTTY === true && flags.watch === true && flags.output === 'text') ctx.out(CLEAR);
  print(ctx, viewOf(data), flags.output);
  if (events === undefined)
    ctx.err(`serin status: Events not shown: listing events in "${cluster.namespace}" is forbidden\n`);
  if (flags.watch === true) await watch(ctx, cluster, data, { ...flags, events: events !== undefined });
  return ONCALL_EXIT.ok;
}

/** Adds `serin status`. */
export function registerStatus(program: Command, ctx: CliContext): void {
  const command = program
    .command('status')
    .description(STATUS_DESCRIPTION)
    .argument('<name>', 'the Canary')
    .addOption(
      new Option('-o, --output <format>', 'text, json or yaml')
        .choices(['text', 'json', 'yaml'])
        .default('text'),
    )
    .option('-w, --watch', 'keep following: redraw in place on a terminal, else print a line per change');
  clusterOptions(command, { allNamespaces: false });
  usageExitCode(command, ONCALL_EXIT.usage);
  command.addHelpText('after', exitCodesHelp([0, 2, 3, 4, 5]));
  command.action(async (name: string, flags: StatusFlags) => {
    await runOncall(ctx, 'status', () => status(ctx, name, flags));
  });
}
