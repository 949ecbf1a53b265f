import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import type { CacheEvent, KubeObject } from '../kube/index.ts';
import {
  approvalRow,
  canaryRow,
  type ApprovalRow,
  type CanaryRow,
  type RowInput,
} from '../readmodel/index.ts';
import { clusterOptions, connect, type Cluster, type ClusterFlags } from './cluster.ts';
import type { CliContext } from './context.ts';
import { follow } from './follow.ts';
import { ONCALL_EXIT, exitCodesHelp } from './oncall-exit.ts';
import { explain } from './oncall-failure.ts';
import { usageExitCode } from './program.ts';
import { runOncall } from './run-oncall.ts';
import { table, type Column } from './table.ts';

const GET_DESCRIPTION =
  'List Canaries (phase, step, canary weight, what each waits for, last analysis) or Approvals (who decided ' +
  'what, with what result); -w prints a line per change.';

type Format = 'table' | 'wide' | 'json' | 'yaml';

interface GetFlags extends ClusterFlags {
  output: Format;
  watch?: boolean;
}

/** How one kind is listed: where it lives and its columns. */
interface Listing<R> {
  readonly kind: 'Canary' | 'Approval';
  readonly resource: string;
  row(obj: KubeObject, now: number): R;
  columns(allNamespaces: boolean, wide: boolean): Column<R>[];
}

function col<R>(header: string, cell: (row: R) => string): Column<R> {
  return { header, cell };
}

const CANARIES: Listing<CanaryRow> = {
  kind: 'Canary',
  resource: 'canaries.serin.dev',
  row: (obj, now) => canaryRow(obj as unknown as RowInput, now),
  columns: (all, wide) => [
    ...(all ? [col<CanaryRow>('NAMESPACE', (r) => r.namespace)] : []),
    col('NAME', (r) => r.name),
    col('PHASE', (r) => r.phase),
    col('STEP', (r) => r.step),
    col('WEIGHT', (r) => r.weight),
    col('WAITING FOR', (r) => r.waiting),
    col('ANALYSIS', (r) => r.analysis),
    col('AGE', (r) => r.age),
    ...(wide
      ? [
          col<CanaryRow>('REVISION', (r) => r.revision),
          col<CanaryRow>('STABLE', (r) => r.stable),
          col<CanaryRow>('MESSAGE', (r) => r.message),
        ]
      : []),
  ],
};

const APPROVALS: Listing<ApprovalRow> = {
  kind: 'Approval',
  resource: 'approvals.serin.dev',
  row: (obj, now) => approvalRow(obj, now),
  columns: (all, wide) => [
    ...(all ? [col<ApprovalRow>('NAMESPACE', (r) => r.namespace)] : []),
    col('NAME', (r) => r.name),
    col('CANARY', (r) => r.canary),
    col('ACTION', (r) => r.action),
    col('REVISION', (r) => r.revision),
    col('STEP', (r) => r.step),
    col('APPROVER', (r) => r.approver),
    col('RESULT', (r) => r.result),
    col('AGE', (r) => r.age),
    ...(wide ? [col<ApprovalRow>('REASON', (r) => r.reason), col<ApprovalRow>('WHY', (r) => r.why)] : []),
  ],
};

const KINDS: Record<string, Listing<CanaryRow> | Listing<ApprovalRow>> = {
  canaries: CANARIES,
  canary: CANARIES,
  scn: CANARIES,
  approvals: APPROVALS,
  approval: APPROVALS,
  sap: APPROVALS,
};

function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const key = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  return key(a).localeCompare(key(b));
}

function document(obj: KubeObject, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(obj, null, 2)}\n` : `---\n${stringify(obj)}`;
}

/** kubectl's shape for a list: a v1 List whose items keep their apiVersion and kind. */
function listDocument(items: readonly KubeObject[], format: 'json' | 'yaml'): string {
  const list = { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
  return format === 'json' ? `${JSON.stringify(list, null, 2)}\n` : stringify(list);
}

async function listAll(
  cluster: Cluster,
  listing: Listing<unknown>,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  const namespace = cluster.allNamespaces ? undefined : cluster.namespace;
  try {
    const list = await cluster.client.list('serin.dev/v1alpha1', listing.kind, { namespace, signal });
    return list.items.sort(byNamespaceAndName);
  } catch (err) {
    throw explain(err, { verb: 'list', resource: listing.resource, namespace });
  }
}

/**
 * Prints a line (or a document) for each change whose printed form differs from the last one,
 * compared without the clock (`same` renders with a fixed time): an AGE that ticked over between
 * two changes nobody sees (a finalizer added, say) is not a change.
 */
function changePrinter(
  ctx: CliContext,
  render: (obj: KubeObject, deleted: boolean) => string,
  same: (obj: KubeObject, deleted: boolean) => string,
  printedAlready: readonly KubeObject[],
): (event: CacheEvent<KubeObject>) => void {
  const keyOf = (obj: KubeObject): string => `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
  const printed = new Map(printedAlready.map((obj) => [keyOf(obj), same(obj, false)]));
  return (event) => {
    const key = keyOf(event.object);
    const deleted = event.type === 'deleted';
    const seen = same(event.object, deleted);
    if (printed.get(key) === seen) return;
    printed.set(key, seen);
    ctx.out(render(event.object, deleted));
  };
}

async function get<R>(ctx: CliContext, listing: Listing<R>, flags: GetFlags): Promise<number> {
  const cluster = connect(flags);
  // Listed once even when watching: a forbidden or failing list is an error here, where the
  // informer would retry it forever.
  const items = await listAll(cluster, listing as Listing<unknown>, ctx.signal);
  const now = (): number => Date.now();
  const format = flags.output;
  const watching = flags.watch === true;
  let render: (obj: KubeObject, deleted: boolean) => string;
  let same: (obj: KubeObject, deleted: boolean) => string;
  let printList: (objects: readonly KubeObject[]) => void;
  if (format === 'json' || format === 'yaml') {
    render = (obj) => document(obj, format);
    same = render;
    // Watching prints one document per object and change, as kubectl does; a plain get, one List.
    printList = (objects) => {
      ctx.out(
        watching ? objects.map((obj) => document(obj, format)).join('') : listDocument(objects, format),
      );
    };
  } else {
    const layout = table(listing.columns(cluster.allNamespaces, format === 'wide'));
    if (items.length === 0 && !watching) {
      const where = cluster.allNamespaces ? 'any namespace' : `namespace ${cluster.namespace}`;
      ctx.err(`No ${listing.resource} found in ${where}.\n`);
      return ONCALL_EXIT.ok;
    }
    printList = (objects) => {
      ctx.out(`${layout.lines(objects.map((obj) => listing.row(obj, now()))).join('\n')}\n`);
    };
    render = (obj, deleted) => `${layout.line(listing.row(obj, now()))}${deleted ? '   (deleted)' : ''}\n`;
    const frozen = now();
    same = (obj, deleted) => `${layout.line(listing.row(obj, frozen))}${deleted ? '   (deleted)' : ''}`;
  }
  if (!watching) {
    printList(items);
    return ONCALL_EXIT.ok;
  }
  // The table comes from the informer's own list, and the lines after it from its watch, which
  // resumes from that list: a change made in between is neither lost nor merged into the next.
  let print: (event: CacheEvent<KubeObject>) => void = () => undefined;
  const namespace = cluster.allNamespaces ? undefined : cluster.namespace;
  const target = { apiVersion: 'serin.dev/v1alpha1', kind: listing.kind, namespace };
  await follow(
    cluster.client,
    target,
    (event) => {
      print(event);
    },
    ctx.signal,
    (synced) => {
      const sorted = [...synced].sort(byNamespaceAndName);
      printList(sorted);
      print = changePrinter(ctx, render, same, sorted);
    },
  );
  return ONCALL_EXIT.ok;
}

/** Adds `serin get`. */
export function registerGet(program: Command, ctx: CliContext): void {
  const command = program
    .command('get')
    .description(GET_DESCRIPTION)
    .argument('[kind]', 'canaries (scn) or approvals (sap)', 'canaries')
    .addOption(
      new Option('-o, --output <format>', 'table, wide, json or yaml')
        .choices(['table', 'wide', 'json', 'yaml'])
        .default('table'),
    )
    .option('-w, --watch', 'after the list, print a line per change until Ctrl-C');
  clusterOptions(command, { allNamespaces: true });
  usageExitCode(command, ONCALL_EXIT.usage);
  command.addHelpText('after', exitCodesHelp([0, 2, 3, 4, 5]));
  command.action(async (kind: string, flags: GetFlags) => {
    const listing = KINDS[kind.toLowerCase()];
    if (listing === undefined) {
      ctx.err(`serin get: unknown kind "${kind}": use canaries or approvals\n`);
      ctx.exit(ONCALL_EXIT.usage);
      return;
    }
    await runOncall(ctx, 'get', () => get(ctx, listing as Listing<unknown>, flags));
  });
}
