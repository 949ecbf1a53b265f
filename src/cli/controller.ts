import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import { Controller } from '../controller/controller.ts';
import { assembleDeps } from '../controller/assemble.ts';
import { createKubeClient, loadKubeConfig } from '../kube/index.ts';
import { createLogger } from '../telemetry/logger.ts';
import { ControllerMetrics } from '../telemetry/metrics.ts';
import { startTelemetryServer } from '../telemetry/server.ts';
import type { CliContext } from './context.ts';
import { EXIT } from './exit-codes.ts';

interface ControllerFlags {
  kubeconfig?: string;
  namespace?: string;
  metricsAddr: string;
  leaderElect: boolean;
  leaseNamespace: string;
  workers: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

function parseBool(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`expected true or false, got "${value}"`);
}

async function runController(flags: ControllerFlags, ctx: CliContext): Promise<void> {
  const logger = createLogger({ level: flags.logLevel });
  const workers = Number(flags.workers);
  if (!Number.isInteger(workers) || workers < 1) {
    ctx.err(`serin controller: --workers must be a positive integer (got "${flags.workers}")\n`);
    ctx.exit(EXIT.usage);
    return;
  }
  const loaded = loadKubeConfig(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig });
  logger.info({ source: loaded.source, server: loaded.server }, 'loaded kubeconfig');
  const client = createKubeClient(loaded.kubeConfig);
  const metrics = new ControllerMetrics({ processMetrics: true });
  const controller = new Controller({
    deps: assembleDeps({ client, logger, metrics }),
    workers,
    logger,
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    ...(flags.leaderElect
      ? {
          leaderElection: {
            namespace: flags.leaseNamespace,
            name: 'serin-controller',
            identity: `${hostname()}-${randomBytes(4).toString('hex')}`,
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
  await server.close();
  logger.flush();
}

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
    .option('--workers <n>', 'canaries reconciled in parallel', '4')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .addHelpText(
      'after',
      '\nStops cleanly on SIGTERM/SIGINT: stops taking work, finishes the current passes, releases the lease.\n\nExit codes:\n  0  stopped cleanly\n  2  usage error',
    )
    .action(async (flags: ControllerFlags) => {
      await runController(flags, ctx);
    });
}
