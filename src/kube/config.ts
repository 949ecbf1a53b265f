import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from './client-node.ts';
import { ClientNodeTransport } from './transport.ts';
import { KubeClient, type KubeClientOptions } from './client.ts';

/** Where a kubeconfig came from. */
export type KubeConfigSource = 'flag' | 'env' | 'home' | 'in-cluster';

/** A loaded kubeconfig and where it came from (for logs and `serin version`). */
export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  source: KubeConfigSource;
  /** File path, or the service-account directory for in-cluster. */
  location: string;
  server: string;
}

/** Why no usable kubeconfig was loaded. */
export type KubeConfigErrorCode =
  /** Nowhere to look: no flag, no $KUBECONFIG, no ~/.kube/config, not in a cluster. */
  | 'NoConfig'
  /** The file could not be read (missing, a directory, permissions). */
  | 'Unreadable'
  /** The file was read but is not a kubeconfig serin can use (YAML error, no current cluster). */
  | 'Invalid';

/** No usable kubeconfig; `message` is one line naming the file and the cause. */
export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
  readonly code: KubeConfigErrorCode;

  constructor(message: string, code: KubeConfigErrorCode = 'NoConfig', options?: { cause: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a parent of it is not a directory',
};

/** Runs a client-node load of `location`, turning what it throws into a one-line KubeConfigError. */
function loading(location: string, load: () => void): void {
  try {
    load();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const reason = typeof code === 'string' ? FS_REASONS[code] : undefined;
    if (reason !== undefined) {
      throw new KubeConfigError(`cannot read kubeconfig ${location}: ${reason}`, 'Unreadable', {
        cause: err,
      });
    }
    const detail = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    throw new KubeConfigError(`kubeconfig ${location} is not a valid kubeconfig: ${detail}`, 'Invalid', {
      cause: err,
    });
  }
}

/** Options for {@link loadKubeConfig}; `env` and `home` exist for tests. */
export interface LoadKubeConfigOptions {
  /** The `--kubeconfig` flag, if given. */
  kubeconfig?: string | undefined;
  /** A context other than the file's current-context. */
  context?: string | undefined;
  env?: Record<string, string | undefined>;
  home?: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Loads a kubeconfig in kubectl's order: the flag, then `$KUBECONFIG` (first file; later files are
 * merged), then `~/.kube/config`, then the in-cluster service account. Unlike client-node's
 * `loadFromDefault`, it never silently falls back to `http://localhost:8080`.
 */
export function loadKubeConfig(opts: LoadKubeConfigOptions = {}): LoadedKubeConfig {
  const env = opts.env ?? process.env;
  const kc = new KubeConfig();
  let source: KubeConfigSource;
  let location: string;
  const envFiles = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  const homeFile = join(opts.home ?? homedir(), '.kube', 'config');
  if (opts.kubeconfig !== undefined && opts.kubeconfig !== '') {
    [source, location] = ['flag', opts.kubeconfig];
    loading(location, () => {
      kc.loadFromFile(location);
    });
  } else if (envFiles.length > 0) {
    [source, location] = ['env', envFiles.join(delimiter)];
    // client-node merges the colon-separated list the way kubectl does.
    loading(`${location} (from $KUBECONFIG)`, () => {
      withEnv(env, () => {
        kc.loadFromDefault();
      });
    });
  } else if (existsSync(homeFile)) {
    [source, location] = ['home', homeFile];
    loading(location, () => {
      kc.loadFromFile(location);
    });
  } else if (env.KUBERNETES_SERVICE_HOST !== undefined && existsSync(join(SA_DIR, 'token'))) {
    [source, location] = ['in-cluster', SA_DIR];
    loading(`the in-cluster service account (${SA_DIR})`, () => {
      kc.loadFromCluster();
    });
  } else {
    throw new KubeConfigError(
      'no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a cluster',
    );
  }
  if (opts.context !== undefined) kc.setCurrentContext(opts.context);
  const cluster = kc.getCurrentCluster();
  if (cluster === null) {
    throw new KubeConfigError(
      `kubeconfig ${location} has no current cluster (check current-context)`,
      'Invalid',
    );
  }
  return { kubeConfig: kc, source, location, server: cluster.server };
}

/** A {@link KubeClient} talking to the cluster of `kc` through client-node's HTTP stack. */
export function createKubeClient(
  kc: KubeConfig,
  opts: Omit<KubeClientOptions, 'transport'> = {},
): KubeClient {
  return new KubeClient({ ...opts, transport: new ClientNodeTransport(kc) });
}

function withEnv(env: Record<string, string | undefined>, fn: () => void): void {
  if (env === process.env) {
    fn();
    return;
  }
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = env.KUBECONFIG;
  try {
    fn();
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
}
