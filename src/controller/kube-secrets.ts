import type { KubeClient } from '../kube/index.ts';
import type { SecretReader, SecretRef, SecretValue } from '../ports/index.ts';

/** Reads Secret keys through the Kubernetes API. Values never appear in errors. */
export function kubeSecretReader(client: KubeClient, defaultNamespace: string): SecretReader {
  return {
    async read(ref: SecretRef): Promise<SecretValue> {
      const namespace = ref.namespace ?? defaultNamespace;
      try {
        const secret = await client.find<{
          apiVersion: string;
          kind: string;
          metadata: object;
          data?: Record<string, string>;
        }>({
          apiVersion: 'v1',
          kind: 'Secret',
          namespace,
          name: ref.name,
        });
        if (!secret) return { ok: false, error: `Secret ${namespace}/${ref.name} not found` };
        const encoded = secret.data?.[ref.key];
        if (encoded === undefined)
          return { ok: false, error: `Secret ${namespace}/${ref.name} has no key "${ref.key}"` };
        return { ok: true, value: Buffer.from(encoded, 'base64').toString('utf8') };
      } catch (err) {
        return {
          ok: false,
          error: `cannot read Secret ${namespace}/${ref.name}: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    },
  };
}
