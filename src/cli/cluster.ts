import type { Command } from 'commander';
import { createKubeClient, loadKubeConfig, type KubeClient, type LoadedKubeConfig } from '../kube/index.ts';
// Imported directly, not through src/kube/index.ts, as who-am-i.ts: only the on-call verbs use it.
import { contextDefaults } from '../kube/context-defaults.ts';
import { ONCALL_EXIT } from './oncall-exit.ts';
import { OncallFailure, explain } from './oncall-failure.ts';

/** The flags every on-call verb takes, with kubectl's names and meanings. */
export interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
}

/** A client for the chosen context and the namespace a verb acts in. */
export interface Cluster {
  readonly client: KubeClient;
  readonly kubeConfig: LoadedKubeConfig['kubeConfig'];
  /** -n, else the context's namespace, else `default` (kubectl's order). */
  readonly namespace: string;
  /** -A: every namespace (list and watch verbs only). */
  readonly allNamespaces: boolean;
  readonly server: string;
}

/** Adds --kubeconfig, --context, -n and (for list verbs) -A to `command`. */
export function clusterOptions(command: Command, opts: { allNamespaces: boolean }): Command {
  command
    .option('-n, --namespace <namespace>', "namespace (default: the kubeconfig context's, else default)")
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: current-context)');
  if (opts.allNamespaces) command.option('-A, --all-namespaces', 'list across all namespaces');
  return command;
}

/** Loads the kubeconfig as kubectl would and builds a client; failures are one-line OncallFailures. */
export function connect(flags: ClusterFlags): Cluster {
  let loaded;
  try {
    loaded = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: undefined });
  } catch (err) {
    throw explain(err, { verb: 'load', resource: 'kubeconfig' });
  }
  const kc = loaded.kubeConfig;
  if (flags.context !== undefined) {
    // client-node accepts any name here and only fails later, with a message about clusters.
    if (kc.getContextObject(flags.context) === null) {
      const known = kc.getContexts().map((c) => c.name);
      throw new OncallFailure(
        `context "${flags.context}" is not in kubeconfig ${loaded.location} (it has: ${known.join(', ')})`,
        ONCALL_EXIT.apiError,
      );
    }
    kc.setCurrentContext(flags.context);
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null) {
    throw new OncallFailure(
      `kubeconfig ${loaded.location}: the context names no cluster`,
      ONCALL_EXIT.apiError,
    );
  }
  return {
    client: createKubeClient(kc),
    kubeConfig: kc,
    namespace: flags.namespace ?? contextDefaults(kc).namespace,
    allNamespaces: flags.allNamespaces === true,
    server: cluster.server,
  };
}
