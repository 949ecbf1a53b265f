import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../kube/index.ts';

/** Reads every YAML document of the given files or directories (directories: *.yaml, sorted). */
export function loadManifests(...paths: string[]): KubeObject[] {
  const files = paths.flatMap((path) =>
    path.endsWith('.yaml') || path.endsWith('.yml')
      ? [path]
      : readdirSync(path)
          .filter((name) => /\.ya?ml$/.test(name))
          .sort()
          .map((name) => join(path, name)),
  );
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'))
      .map((doc) => doc.toJS() as KubeObject | null)
      .filter((doc): doc is KubeObject => doc !== null),
  );
}

/** The same objects placed in a namespace (cluster-scoped kinds are left alone). */
export function inNamespace(objects: readonly KubeObject[], namespace: string): KubeObject[] {
  return objects.map((object) =>
    object.kind === 'Namespace' || object.kind === 'ClusterAnalysisTemplate'
      ? object
      : { ...object, metadata: { ...object.metadata, namespace } },
  );
}

interface MetricLike {
  interval?: string;
  count?: number;
  provider: {
    prometheus?: { address: string; scrapeInterval?: string };
    judge?: { prometheus: { address: string } };
  };
}

/** How often the stack's Prometheus scrapes (src/sim/stack.ts), as templates declare it. */
export const STACK_SCRAPE_INTERVAL = '1s';

/**
 * A shipped AnalysisTemplate as the demo and the end-to-end tests run it: pointed at their Prometheus
 * (which scrapes every second), measuring every few seconds instead of every minute. Queries and
 * conditions are unchanged.
 */
export function withPrometheus(
  template: KubeObject,
  options: { address: string; interval?: string; count?: number; scrapeInterval?: string },
): KubeObject {
  const spec = structuredClone(template.spec) as { metrics: MetricLike[] };
  for (const metric of spec.metrics) {
    if (metric.provider.prometheus) {
      metric.provider.prometheus.address = options.address;
      metric.provider.prometheus.scrapeInterval = options.scrapeInterval ?? STACK_SCRAPE_INTERVAL;
    }
    if (metric.provider.judge) metric.provider.judge.prometheus.address = options.address;
    if (options.interval !== undefined) metric.interval = options.interval;
    if (options.count !== undefined) metric.count = options.count;
  }
  return { ...template, spec };
}
