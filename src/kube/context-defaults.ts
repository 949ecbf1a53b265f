import type { KubeConfig } from './client-node.ts';

/** What the kubeconfig's current context says, as kubectl reads it. */
export interface ContextDefaults {
  /** The context's namespace; `default` when it names none (kubectl's rule). */
  readonly namespace: string;
  readonly context: string;
  /** The kubeconfig user entry's name (not necessarily the name the server authenticates). */
  readonly user: string | undefined;
}

/** The namespace and user of the current context of `kc`. */
export function contextDefaults(kc: KubeConfig): ContextDefaults {
  const name = kc.getCurrentContext();
  const ctx = kc.getContextObject(name);
  const namespace = ctx?.namespace;
  return {
    namespace: namespace === undefined || namespace === '' ? 'default' : namespace,
    context: name,
    user: kc.getCurrentUser()?.name,
  };
}
