/**
 * deploy/ renders with `kubectl kustomize`, and what it renders is what the controller needs: real
 * flags, the hardening the restricted Pod Security Standard asks for, probes on the controller's
 * own endpoints, and every CRD.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderKustomization } from './rbac.ts';

interface Container {
  image: string;
  args: string[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  env: { name: string; value?: string }[];
  securityContext: Record<string, unknown>;
}
interface Rendered {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: {
    replicas?: number;
    template?: {
      spec: { securityContext: Record<string, unknown>; containers: Container[]; serviceAccountName: string };
    };
  };
}

const controllerOf = (docs: Rendered[]) => {
  const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'serin-controller');
  if (deployment?.spec?.template === undefined) throw new Error('no serin-controller Deployment');
  return {
    deployment,
    pod: deployment.spec.template.spec,
    container: deployment.spec.template.spec.containers[0]!,
  };
};

/** The long flags `serin controller` declares (src/cli/controller.ts). */
function controllerFlags(): Set<string> {
  const source = readFileSync('src/cli/controller.ts', 'utf8');
  return new Set([...source.matchAll(/'(?:-\w, )?(--[a-z-]+)[ [<']/g)].map((m) => m[1]!));
}

describe.each(['deploy/default', 'deploy/namespaced'])('%s', (dir) => {
  const docs = renderKustomization(dir) as Rendered[];

  it('installs the namespace, every CRD, the ServiceAccount, the controller, its PDB and metrics Service', () => {
    const kinds = new Set(docs.map((d) => `${d.kind}/${d.metadata.name}`));
    for (const expected of [
      'Namespace/serin-system',
      'ServiceAccount/serin-controller',
      'Deployment/serin-controller',
      'PodDisruptionBudget/serin-controller',
      'Service/serin-controller-metrics',
      'ValidatingAdmissionPolicy/serin-approvals',
      'ValidatingAdmissionPolicyBinding/serin-approvals',
    ])
      expect(kinds).toContain(expected);
    const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition').map((d) => d.metadata.name);
    expect(crds.sort()).toEqual([
      'analysistemplates.serin.dev',
      'approvals.serin.dev',
      'canaries.serin.dev',
      'clusteranalysistemplates.serin.dev',
    ]);
  });

  it('runs two replicas with leader election in its own namespace, passing only flags the controller has', () => {
    const { deployment, container } = controllerOf(docs);
    expect(deployment.metadata.namespace).toBe('serin-system');
    expect(deployment.spec?.replicas).toBe(2);
    expect(container.args).toContain('--leader-elect=true');
    const flags = controllerFlags();
    expect(flags.has('--metrics-addr')).toBe(true);
    for (const arg of container.args) expect(flags, arg).toContain(arg.split('=')[0]);
  });

  it('probes /healthz and /readyz on the metrics port, and sets requests and limits', () => {
    const { container } = controllerOf(docs);
    const port = container.ports.find((p) => p.name === container.readinessProbe.httpGet.port);
    expect(container.args).toContain(`--metrics-addr=:${port?.containerPort}`);
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'http-metrics' });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http-metrics' });
    expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(container.resources.limits.memory).toBeDefined();
  });

  it("caps Node's heap below the memory limit, so V8 collects before the kernel kills", () => {
    const { container } = controllerOf(docs);
    const options = container.env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
    const cap = /--max-old-space-size=(\d+)/.exec(options)?.[1];
    expect(cap, 'NODE_OPTIONS sets --max-old-space-size').toBeDefined();
    const limit = /^(\d+)Mi$/.exec(container.resources.limits.memory ?? '')?.[1];
    expect(limit, 'the memory limit is given in Mi').toBeDefined();
    // Node itself, its code and the young generation need room beside the old space.
    expect(Number(cap)).toBeLessThanOrEqual(Number(limit) * 0.8);
  });

  it('is hardened: non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp', () => {
    const { pod, container } = controllerOf(docs);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });
});

describe('the namespaced overlay', () => {
  it('watches one namespace and binds no cluster-wide access to Canaries', () => {
    const docs = renderKustomization('deploy/namespaced') as (Rendered & {
      rules?: { resources: string[] }[];
    })[];
    expect(controllerOf(docs).container.args).toContain('--namespace=team-a');
    const clusterResources = docs
      .filter((d) => d.kind === 'ClusterRole')
      .flatMap((d) => (d.rules ?? []).flatMap((r) => r.resources));
    expect(clusterResources).toEqual(['clusteranalysistemplates']);
  });
});

describe('crds/Kustomization', () => {
  it('lists every CRD in crds/', () => {
    const listed = (parse(readFileSync('crds/Kustomization', 'utf8')) as { resources: string[] }).resources;
    expect(listed.sort()).toEqual(
      readdirSync('crds')
        .filter((f) => f.endsWith('.yaml'))
        .sort(),
    );
  });
});
