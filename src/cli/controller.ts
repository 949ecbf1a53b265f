import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import { durationToMs } from '../api/index.ts';
import { Controller, DEFAULT_WORKERS } from '../controller/controller.ts';
import { assembleDeps } from '../controller/assemble.ts';
import {
  createKubeClient,
  KubeConfigError,
  loadKubeConfig,
  systemClock,
  type LoadedKubeConfig,
} from '../kube/index.ts';
import { DEFAULT_PROMETHEUS_CONCURRENCY } from '../providers/prometheus/index.ts';
import { createLogger } from '../telemetry/logger.ts';
import { ControllerMetrics } from '../telemetry/metrics.ts';
import { startTelemetryServer } from '../telemetry/server.ts';
import type { CliContext } from './context.ts';
import { preflight } from './controller-preflight.ts';
import { EXIT } from './exit-codes.ts';

interface ControllerFlags {
  kubeconfig?: string;
  namespace?: string;
  metricsAddr: string;
  leaderElect: boolean;
  leaseNamespace: string;
  shards: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  workers: string;
  prometheusConcurrency: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  notificationsConfig?: string;
}

/** `--notifications-config`: `namespace/name`, or a name in the --lease-namespace namespace. */
function notificationsConfigOf(flags: ControllerFlags): { namespace: string; name: string } | undefined {
  const value = flags.notificationsConfig;
  if (value === undefined || value === '') return undefined;
  const [first, second] = value.split('/', 2);
  return second === undefined
    ? { namespace: flags.leaseNamespace, name: first ?? value }
    : { namespace: first ?? '', name: second };
}

function parseBool(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`expected true or false, got "${value}"`);
}

/** The kubeconfig, or undefined after writing one line naming why there is none (exit 2). */
function loadConfig(flags: ControllerFlags, ctx: CliContext): LoadedKubeConfig | undefined {
  try {
    return loadKubeConfig(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig });
  } catch (err) {
    if (!(err instanceof KubeConfigError)) throw err;
    ctx.err(`serin controller: ${err.message}\n`);
    ctx.exit(EXIT.usage);
    return undefined;
  }
}

/** Leader-election timing and sharding, as {@link electionOf} reads them from the flags. */
export interface ElectionFlags {
  shards: number;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** A duration flag in milliseconds, or the message naming what is wrong with it. */
function durationFlag(flag: string, value: string): number | string {
  const ms = /^(\d+(ms|s|m|h))+$/.test(value) ? durationToMs(value) : 0;
  return ms > 0 ? ms : `${flag} must be a duration such as 15s or 500ms (got "${value}")`;
}

/** Leader-election timing and sharding from the flags, or a message naming the bad flag. */
export function electionOf(
  flags: Pick<ControllerFlags, 'shards' | 'leaseDuration' | 'renewDeadline' | 'retryPeriod'>,
): ElectionFlags | { error: string } {
  const shards = Number(flags.shards);
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024)
    return { error: `--shards must be an integer from 1 to 1024 (got "${flags.shards}")` };
  const leaseDurationMs = durationFlag('--lease-duration', flags.leaseDuration);
  const renewDeadlineMs = durationFlag('--renew-deadline', flags.renewDeadline);
  const retryPeriodMs = durationFlag('--retry-period', flags.retryPeriod);
  if (typeof leaseDurationMs === 'string') return { error: leaseDurationMs };
  if (typeof renewDeadlineMs === 'string') return { error: renewDeadlineMs };
  if (typeof retryPeriodMs === 'string') return { error: retryPeriodMs };
  // The fencing argument (src/kube/leader-elector.ts) needs renew deadline < lease duration.
  if (renewDeadlineMs >= leaseDurationMs || retryPeriodMs >= renewDeadlineMs)
    return {
      error: '--retry-period must be shorter than --renew-deadline, and that shorter than --lease-duration',
    };
  return { shards, leaseDurationMs, renewDeadlineMs, retryPeriodMs };
}

async function runController(flags: ControllerFlags, ctx: CliContext): Promise<void> {
  const logger = createLogger({ level: flags.logLevel });
  const workers = Number(flags.workers);
  if (!Number.isInteger(workers) || workers < 1) {
    ctx.err(`serin controller: --workers must be a positive integer (got "${flags.workers}")\n`);
    ctx.exit(EXIT.usage);
    return;
  }
  const prometheusConcurrency = Number(flags.prometheusConcurrency);
  if (!Number.isInteger(prometheusConcurrency) || prometheusConcurrency < 1) {
    ctx.err(
      `serin controller: --prometheus-concurrency must be a positive integer (got "${flags.prometheusConcurrency}")\n`,
    );
    ctx.exit(EXIT.usage);
    return;
  }
  const election = electionOf(flags);
  if ('error' in election) {
    ctx.err(`serin controller: ${election.error}\n`);
    ctx.exit(EXIT.usage);
    return;
  }
  const loaded = loadConfig(flags, ctx);
  if (loaded === undefined) return;
  logger.info({ source: loaded.source, server: loaded.server }, 'loaded kubeconfig');
  const client = createKubeClient(loaded.kubeConfig);
  const checked = await preflight({
    client,
    server: loaded.server,
    leaseNamespace: flags.leaderElect ? flags.leaseNamespace : undefined,
    namespace: flags.namespace,
    signal: ctx.signal,
    clock: systemClock,
    onRetry: (reason, delayMs, attempt) => {
      logger.warn(
        { attempt, retryInMs: Math.round(delayMs) },
        `${reason}; retrying in ${(delayMs / 1000).toFixed(1)}s`,
      );
    },
  });
  if (checked.kind === 'misconfigured') {
    ctx.err(`serin controller: ${checked.message}\n`);
    ctx.exit(EXIT.usage);
    return;
  }
  if (checked.kind === 'stopped') {
    logger.info('stopped while waiting for the API server');
    logger.flush();
    return;
  }
  const metrics = new ControllerMetrics({ processMetrics: true });
  const notificationsConfig = notificationsConfigOf(flags);
  const deps = assembleDeps({
    client,
    logger,
    metrics,
    prometheusConcurrency,
    ...(notificationsConfig ? { notificationsConfig } : {}),
  });
  const controller = new Controller({
    deps,
    workers,
    logger,
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    ...(flags.leaderElect
      ? {
          leaderElection: {
            namespace: flags.leaseNamespace,
            name: 'serin-controller',
            identity: `${hostname()}-${randomBytes(4).toString('hex')}`,
            ...election,
          },
        }
      : {}),
  });
  const server = await startTelemetryServer(flags.metricsAddr, {
    registry: metrics.registry,
    live: () => true,
    ready: () => controller.ready(),
  });
  logger.info({ metrics: server.url }, 'serving /metrics, /healthz and /readyz');
  controller.start();
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
  logger.info('shutting down: finishing current passes and releasing the lease');
  await controller.stop();
  // Notifications still queued get a few seconds, then whatever is left is dropped (and counted).
  await Promise.race([deps.notifications?.idle(), systemClock.sleep(5_000)]);
  await deps.notifications?.stop();
  await server.close();
  logger.flush();
}

const HELP_AFTER = `
Before it starts, it checks the API server. A problem that waiting cannot fix ends it with one line
on stderr naming the cause, and exit code 2: no kubeconfig, or one that cannot be read or parsed;
serin's CRDs not installed; the Lease namespace (--lease-namespace) missing; credentials or RBAC
refused. An API server that cannot be reached (or answers 5xx/429) is retried with backoff (about
1s, doubling up to 30s, jittered), one warning line per attempt, until it answers or the process
is stopped.

Stops cleanly on SIGTERM/SIGINT: stops taking work, finishes the current passes, releases the lease.

Exit codes:
  0  stopped cleanly (also when stopped while waiting for the API server)
  2  usage or configuration error (the message says which)`;

/** `serin controller`: the process platform teams run in their cluster. */
export function registerController(program: Command, ctx: CliContext): void {
  program
    .command('controller')
    .description('Run the serin controller: reconcile Canaries, move traffic, run analyses.')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster)')
    .option('-n, --namespace <namespace>', 'watch only this namespace (default: all)')
    .option('--metrics-addr <addr>', 'listen address for /metrics, /healthz and /readyz', ':8080')
    .addOption(
      new Option('--leader-elect [bool]', 'use a Lease so only one replica acts')
        .default(true)
        .argParser(parseBool),
    )
    .option('--lease-namespace <namespace>', 'namespace of the leader-election Lease', 'serin-system')
    .option(
      '--shards <n>',
      'split Canaries into n shards, one Lease each (serin-shard-0…n-1); each replica reconciles the shards it holds (1: one leader, Lease serin-controller)',
      '1',
    )
    .option(
      '--lease-duration <duration>',
      'how long a Lease lasts unrenewed before another replica may take it',
      '15s',
    )
    .option('--renew-deadline <duration>', 'a holder that has not renewed for this long stops writing', '10s')
    .option('--retry-period <duration>', 'how often Leases are renewed and free ones tried', '2s')
    .option('--workers <n>', 'canaries reconciled in parallel', String(DEFAULT_WORKERS))
    .option(
      '--prometheus-concurrency <n>',
      'queries in flight per Prometheus address; more wait in a queue, the wait counting against their timeout',
      String(DEFAULT_PROMETHEUS_CONCURRENCY),
    )
    .option(
      '--notifications-config <[namespace/]name>',
      'ConfigMap of notification receivers (config.yaml; URLs in Secrets beside it); a bare name is in --lease-namespace (default: no notifications)',
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: ControllerFlags) => {
      await runController(flags, ctx);
    });
}
