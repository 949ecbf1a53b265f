import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { Duration, durationToMs, parseKind, type ApprovalAction, type CanaryStatus } from '../api/index.ts';
import type { CacheEvent, KubeObject } from '../kube/index.ts';
// Imported directly, not through src/kube/index.ts: serin controller loads that index and has no use for it.
import { whoAmI, type Identity } from '../kube/who-am-i.ts';
import { previewApproval, type ApprovalPreview } from '../machine/index.ts';
import { canaryView, phaseText, stepText, weightBar, type CanaryLike } from '../readmodel/index.ts';
import { ACTION_PURPOSE } from './approval-rules.ts';
import { clusterOptions, connect, type Cluster, type ClusterFlags } from './cluster.ts';
import type { CliContext } from './context.ts';
import { follow } from './follow.ts';
import { ONCALL_EXIT, exitCodesHelp } from './oncall-exit.ts';
import { OncallFailure, explain } from './oncall-failure.ts';
import { usageExitCode } from './program.ts';
import { readCanary } from './read-canary.ts';
import { runOncall } from './run-oncall.ts';

/** One action verb: its name, help, and the Approval action its flags ask for. */
export interface ActionVerbSpec {
  readonly name: 'promote' | 'abort' | 'retry' | 'pause' | 'resume';
  readonly description: string;
  readonly action: (flags: ActionFlags) => ApprovalAction;
  /** Extra options (promote's --full). */
  readonly options?: (command: Command) => void;
}

/** The flags every action verb takes. */
export interface ActionFlags extends ClusterFlags {
  reason?: string;
  /** true: the default timeout; a string: a duration; false: --no-wait. */
  wait: boolean | string;
  dryRun?: boolean;
  full?: boolean;
}

const API = 'serin.dev/v1alpha1';
const DEFAULT_WAIT = '60s';

function statusOf(canary: KubeObject): CanaryStatus {
  return canary.status ?? {};
}

/** `Paused (Manual) at step 5/5 (wait for approval), revision abc, weights ...` */
function stateText(canary: KubeObject): string {
  const view = canaryView({ canary: canary as unknown as CanaryLike });
  const step = stepText(view.step);
  return [
    phaseText(view),
    step === '' ? '' : `at ${step}`,
    `revision ${view.revision ?? '-'}`,
    weightBar(view.weights),
  ]
    .filter((part) => part !== '')
    .join(', ');
}

function waitTimeoutMs(wait: ActionFlags['wait']): number | undefined {
  if (wait === false) return undefined;
  const text = wait === true ? DEFAULT_WAIT : wait;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!Duration.safeParse(text).success) {
    throw new OncallFailure(`--wait ${text}: not a duration (such as 30s, 2m or 90)`, ONCALL_EXIT.usage);
  }
  return durationToMs(text);
}

/** What the machine would record for this action on the Canary as its status holds it now. */
function askMachine(canary: KubeObject, action: ApprovalAction, reason?: string): ApprovalPreview {
  const parsed = parseKind('Canary', canary);
  if (!parsed.ok) {
    const first = parsed.issues[0];
    const detail = first === undefined ? 'see serin status' : `${first.path}: ${first.message}`;
    return {
      result: 'Rejected',
      reason: `its spec is invalid (${detail}) and the controller applies nothing until it is fixed`,
    };
  }
  const { machine, revision, currentStepIndex } = statusOf(canary);
  if (machine === undefined || revision === undefined) {
    return { result: 'Rejected', reason: 'the controller has not reconciled it yet' };
  }
  const approval = {
    action,
    revision,
    approver: 'serin',
    ...(currentStepIndex === undefined ? {} : { step: currentStepIndex }),
    ...(reason === undefined ? {} : { reason }),
  };
  try {
    return previewApproval(machine, parsed.value.spec, approval, Date.now());
  } catch (err) {
    return { result: 'Rejected', reason: `its stored state cannot be read (${String(err)})` };
  }
}

/**
 * Refuses, creating nothing, when the controller would reject the action: the machine itself is
 * asked, on the state the Canary's status holds, so a verb never disagrees with the controller.
 */
function refuseUnlessApplicable(
  canary: KubeObject,
  action: ApprovalAction,
  cluster: Cluster,
  reason?: string,
): void {
  const preview = askMachine(canary, action, reason);
  if (preview.result === 'Applied') return;
  const name = canary.metadata.name ?? '';
  const { phase } = statusOf(canary);
  const subject = `Canary "${name}" in "${cluster.namespace}" is ${phase === undefined ? 'not reconciled yet' : stateText(canary)}`;
  const hint =
    action === 'Promote' && phase === 'Progressing'
      ? ` To skip the remaining steps: serin promote ${name} -n ${cluster.namespace} --full.`
      : '';
  throw new OncallFailure(
    `refused: ${subject}: ${preview.reason}; ${ACTION_PURPOSE[action]}. Nothing was created.${hint}`,
    ONCALL_EXIT.refused,
  );
}

function buildApproval(
  canary: KubeObject,
  action: ApprovalAction,
  approver: Identity,
  reason?: string,
): KubeObject {
  const name = canary.metadata.name ?? '';
  const status = statusOf(canary);
  return {
    apiVersion: API,
    kind: 'Approval',
    metadata: {
      generateName: `${name}-${action.toLowerCase()}-`,
      namespace: canary.metadata.namespace ?? '',
      labels: { 'serin.dev/canary': name },
    },
    spec: {
      canaryRef: { name },
      action,
      revision: status.revision ?? '',
      ...(status.currentStepIndex === undefined ? {} : { step: status.currentStepIndex }),
      approver: approver.username,
      ...(reason === undefined ? {} : { reason }),
    },
  };
}

/** What an Approval would decide about: the revision and step it names, and the phase it expects. */
function decisionKey(canary: KubeObject): string {
  const status = statusOf(canary);
  return JSON.stringify([status.revision, status.currentStepIndex, status.phase]);
}

async function identity(cluster: Cluster, signal: AbortSignal): Promise<Identity> {
  try {
    return await whoAmI(cluster.client, cluster.kubeConfig, { signal });
  } catch (err) {
    throw explain(err, { verb: 'create', resource: 'selfsubjectreviews.authentication.k8s.io' });
  }
}

type Decision =
  { phase: 'Applied' | 'Rejected'; reason: string | undefined; approval: KubeObject } | undefined;

/** Follows the Approval until the controller records Applied or Rejected, the timeout, or Ctrl-C. */
async function waitForDecision(
  cluster: Cluster,
  name: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Decision> {
  // One plain list first: an informer would retry a 403 until the timeout, and the person would
  // read "no decision" where the truth is "you may create Approvals but not read them".
  try {
    await cluster.client.list(API, 'Approval', { namespace: cluster.namespace, signal });
  } catch (err) {
    const failure = explain(err, {
      verb: 'list',
      resource: 'approvals.serin.dev',
      namespace: cluster.namespace,
    });
    throw new OncallFailure(
      `Approval ${name} was created, but --wait cannot follow it: ${failure.message}`,
      failure.exitCode,
      { cause: err },
    );
  }
  const done = new AbortController();
  const stop = AbortSignal.any([signal, done.signal, AbortSignal.timeout(timeoutMs)]);
  let decision: Decision;
  const onChange = (event: CacheEvent<KubeObject>): void => {
    if (event.object.metadata.name !== name || event.type === 'deleted') return;
    const status = event.object.status as { phase?: string; reason?: string } | undefined;
    if (status?.phase !== 'Applied' && status?.phase !== 'Rejected') return;
    decision = { phase: status.phase, reason: status.reason, approval: event.object };
    done.abort();
  };
  await follow(
    cluster.client,
    { apiVersion: API, kind: 'Approval', namespace: cluster.namespace },
    onChange,
    stop,
  );
  return decision;
}

function describeApproval(approval: KubeObject, canary: KubeObject): string {
  const spec = approval.spec as { action: string; revision: string; step?: number; approver: string };
  const total = (canary.spec as { steps?: unknown[] }).steps?.length ?? 0;
  const step = spec.step === undefined ? '' : `, step ${spec.step + 1}/${total}`;
  return `${spec.action} ${canary.metadata.name ?? ''} (revision ${spec.revision}${step}) as ${spec.approver}`;
}

async function create(cluster: Cluster, approval: KubeObject, signal: AbortSignal): Promise<KubeObject> {
  try {
    return await cluster.client.create(approval, { signal });
  } catch (err) {
    throw explain(err, { verb: 'create', resource: 'approvals.serin.dev', namespace: cluster.namespace });
  }
}

async function reportDecision(
  ctx: CliContext,
  cluster: Cluster,
  decision: NonNullable<Decision>,
  name: string,
): Promise<number> {
  const canary = await readCanary(cluster, name, ctx.signal);
  if (decision.phase === 'Applied') {
    ctx.out(`Applied. Canary ${name} is now ${stateText(canary)}.\n`);
    return ONCALL_EXIT.ok;
  }
  ctx.err(
    `serin: the controller rejected Approval ${decision.approval.metadata.name ?? ''}: ${decision.reason ?? 'no reason given'}. ` +
      `Canary ${name} is ${stateText(canary)}.\n`,
  );
  return ONCALL_EXIT.refused;
}

async function act(ctx: CliContext, spec: ActionVerbSpec, name: string, flags: ActionFlags): Promise<number> {
  const action = spec.action(flags);
  const timeoutMs = waitTimeoutMs(flags.wait);
  const cluster = connect(flags);
  const before = await readCanary(cluster, name, ctx.signal);
  refuseUnlessApplicable(before, action, cluster, flags.reason);
  const approver = await identity(cluster, ctx.signal);
  const approval = buildApproval(before, action, approver, flags.reason);
  if (flags.dryRun === true) {
    ctx.out(`# dry run: serin ${spec.name} would create this Approval\n${stringify(approval)}`);
    return ONCALL_EXIT.ok;
  }
  // The revision or step may have moved while we asked who the caller is: an Approval for the old
  // one would only be rejected, so refuse now and show what the Canary does instead.
  const now = await readCanary(cluster, name, ctx.signal);
  if (decisionKey(now) !== decisionKey(before)) {
    throw new OncallFailure(
      `refused: Canary "${name}" moved while this command ran (it was ${stateText(before)}; it is now ${stateText(now)}). ` +
        'Nothing was created; run the command again if it still applies.',
      ONCALL_EXIT.refused,
    );
  }
  const created = await create(cluster, approval, ctx.signal);
  const createdName = created.metadata.name ?? '';
  const fallback =
    approver.source === 'kubeconfig'
      ? ' (the API server has no SelfSubjectReview: approver is the kubeconfig user)'
      : '';
  ctx.out(`Approval ${createdName} created: ${describeApproval(created, now)}${fallback}.\n`);
  if (timeoutMs === undefined) return ONCALL_EXIT.ok;
  const decision = await waitForDecision(cluster, createdName, timeoutMs, ctx.signal);
  if (decision !== undefined) return reportDecision(ctx, cluster, decision, name);
  const why = ctx.signal.aborted
    ? 'stopped waiting'
    : `no decision after ${Math.round(timeoutMs / 1000)}s (is the controller running?)`;
  ctx.err(
    `serin ${spec.name}: ${why}. Approval ${createdName} stays; the controller decides it when it gets to it: ` +
      `serin get approvals -n ${cluster.namespace}\n`,
  );
  return ONCALL_EXIT.timeout;
}

/** Adds one action verb (promote, abort, retry, pause, resume): each creates an Approval. */
export function registerActionVerb(program: Command, ctx: CliContext, spec: ActionVerbSpec): void {
  const command = program
    .command(spec.name)
    .description(spec.description)
    .argument('<name>', 'the Canary')
    .option('--reason <text>', 'why (kept in the Approval and in the Canary’s approval history)')
    .addOption(
      new Option(
        '--wait [timeout]',
        'follow the Approval until the controller applies or rejects it',
      ).default(DEFAULT_WAIT),
    )
    .option('--no-wait', 'create the Approval and return')
    .option('--dry-run', 'print the Approval instead of creating it');
  spec.options?.(command);
  clusterOptions(command, { allNamespaces: false });
  usageExitCode(command, ONCALL_EXIT.usage);
  command.addHelpText(
    'after',
    '\nThe Approval names the revision and step the Canary is at when the command runs, and the caller\n' +
      'as the API server authenticates them (SelfSubjectReview).' +
      exitCodesHelp([0, 1, 2, 3, 4, 5, 6]),
  );
  command.action(async (name: string, flags: ActionFlags) => {
    await runOncall(ctx, spec.name, () => act(ctx, spec, name, flags));
  });
}
