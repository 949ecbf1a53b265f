import { spawn } from 'node:child_process';
import { InvalidArgumentError, type Command } from 'commander';
import { createProgram } from './program.ts';
// Imported directly, not through src/kube/index.ts, as the on-call verbs do: serin controller loads that index.
import { whoAmI } from '../kube/who-am-i.ts';
import {
  loadAssets,
  startDashboard,
  type ActFn,
  type ActionAnswer,
  type DashboardAction,
} from '../dashboard/index.ts';
import { clusterOptions, connect, type ClusterFlags } from './cluster.ts';
import type { CliContext } from './context.ts';
import { ONCALL_EXIT, exitCodesHelp } from './oncall-exit.ts';
import { OncallFailure, explain } from './oncall-failure.ts';
import { usageExitCode } from './program.ts';
import { runOncall } from './run-oncall.ts';

const DASHBOARD_DESCRIPTION =
  'Serve a live dashboard on this machine (loopback): Canaries, analyses, Events, and Promote/Abort/Retry/Pause/Resume ' +
  'buttons that create Approvals as you, with your kubeconfig. See docs/dashboard.md.';

interface DashboardFlags extends ClusterFlags {
  port: number;
  address: string;
  open?: boolean;
}

/** The verb and flags of `serin <verb>` that create the Approval for an action. */
const VERB_OF: Record<DashboardAction, string[]> = {
  Promote: ['promote'],
  PromoteFull: ['promote', '--full'],
  Abort: ['abort'],
  Retry: ['retry'],
  Pause: ['pause'],
  Resume: ['resume'],
};

/** How each on-call exit code answers the page. */
const HTTP_OF: Record<number, number> = {
  [ONCALL_EXIT.ok]: 201,
  [ONCALL_EXIT.refused]: 409,
  [ONCALL_EXIT.usage]: 400,
  [ONCALL_EXIT.notFound]: 404,
  [ONCALL_EXIT.forbidden]: 403,
  [ONCALL_EXIT.apiError]: 502,
};

async function loadActionVerbs(): Promise<((program: Command, ctx: CliContext) => void)[]> {
  const [promote, abort, retry, pause, resume] = await Promise.all([
    import('./promote.ts'),
    import('./abort.ts'),
    import('./retry.ts'),
    import('./pause.ts'),
    import('./resume.ts'),
  ]);
  return [
    promote.registerPromote,
    abort.registerAbort,
    retry.registerRetry,
    pause.registerPause,
    resume.registerResume,
  ];
}

/**
 * A button's Approval is created by running `serin promote` (abort, retry, pause, resume) itself in
 * this process, with --no-wait: the same checks (phase, revision moved), the same identity from
 * SelfSubjectReview and the same refusals as on the command line. The page follows the decision
 * through its watch of Approvals.
 */
function actor(flags: DashboardFlags): ActFn {
  return async ({ namespace, name, action, reason, signal }) => {
    let stdout = '';
    let stderr = '';
    let code: number = ONCALL_EXIT.ok;
    const ctx: CliContext = {
      out: (text) => (stdout += text),
      err: (text) => (stderr += text),
      exit: (value) => (code = value),
      signal,
    };
    const program = createProgram(ctx);
    for (const register of await loadActionVerbs()) register(program, ctx);
    const args = [
      ...VERB_OF[action],
      name,
      '-n',
      namespace,
      '--no-wait',
      ...(reason === '' ? [] : ['--reason', reason]),
      ...(flags.kubeconfig === undefined ? [] : ['--kubeconfig', flags.kubeconfig]),
      ...(flags.context === undefined ? [] : ['--context', flags.context]),
    ];
    await program.parseAsync(args, { from: 'user' });
    const created = /^Approval (\S+) created: (.*)$/m.exec(stdout);
    let answer: ActionAnswer;
    if (code === ONCALL_EXIT.ok && created !== null) {
      answer = {
        ok: true,
        approval: created[1] ?? '',
        message: `Approval ${created[1] ?? ''} created: ${created[2] ?? ''}`,
      };
    } else {
      answer = { ok: false, error: stderr.trim().replace(/^serin \w+: /, '') || `exit ${code}` };
    }
    return { status: HTTP_OF[code] ?? 500, answer };
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port number (0-65535)');
  return port;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener on this machine: the URL is printed anyway.
  }
}

async function dashboard(ctx: CliContext, flags: DashboardFlags): Promise<number> {
  const cluster = connect(flags);
  let identity;
  try {
    identity = await whoAmI(cluster.client, cluster.kubeConfig, { signal: ctx.signal });
  } catch (err) {
    throw explain(err, { verb: 'create', resource: 'selfsubjectreviews.authentication.k8s.io' });
  }
  const namespace = cluster.allNamespaces ? undefined : cluster.namespace;
  let running;
  try {
    running = await startDashboard({
      client: cluster.client,
      namespace,
      address: flags.address,
      port: flags.port,
      session: { user: identity.username, identitySource: identity.source, server: cluster.server },
      act: actor(flags),
      assets: await loadAssets(),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new OncallFailure(
        `cannot listen on ${flags.address}:${flags.port}: ${code}`,
        ONCALL_EXIT.apiError,
      );
    }
    throw err;
  }
  if (!LOOPBACK.test(flags.address))
    ctx.err(
      `serin dashboard: warning: listening on ${flags.address}, not loopback: anyone who can reach it acts with your credentials once past the CSRF check\n`,
    );
  const where = namespace === undefined ? 'all namespaces' : `namespace ${namespace}`;
  ctx.out(`serin dashboard: ${running.url} (${where}, as ${identity.username}); Ctrl-C stops it\n`);
  if (flags.open === true) openBrowser(running.url);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else
      ctx.signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
  await running.stop();
  return ONCALL_EXIT.ok;
}

/** Adds `serin dashboard`. */
export function registerDashboard(program: Command, ctx: CliContext): void {
  const command = program
    .command('dashboard')
    .description(DASHBOARD_DESCRIPTION)
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 3100)
    .option('--address <address>', 'address to listen on; keep it loopback', '127.0.0.1')
    .option('--open', 'open the dashboard in the default browser');
  clusterOptions(command, { allNamespaces: true });
  usageExitCode(command, ONCALL_EXIT.usage);
  command.addHelpText(
    'after',
    '\nEvery read and every Approval is made with your kubeconfig credentials: the page shows and does what\n' +
      "your RBAC allows. State-changing requests need the session's CSRF token and a same-origin Origin.\n" +
      exitCodesHelp([0, 2, 4, 5]),
  );
  command.action(async (flags: DashboardFlags) => {
    await runOncall(ctx, 'dashboard', () => dashboard(ctx, flags));
  });
}
