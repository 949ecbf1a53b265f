import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { VirtualServiceRef } from '../../src/api/index.ts';
import type { Weights } from '../../src/ports/traffic-router.ts';
import type { CanaryHosts, VirtualService } from '../../src/routers/istio/index.ts';

/** Golden VirtualService cases: test/fixtures/virtualservices/<case>.{before,after,args}.yaml. */
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'virtualservices');

/** The Canary the fixtures are written for: Service `podinfo` in namespace `shop`. */
export const HOSTS: CanaryHosts = { primary: 'podinfo-primary', canary: 'podinfo-canary', namespace: 'shop' };

export interface GoldenCase {
  name: string;
  before: VirtualService[];
  /** Absent for error cases. */
  after?: VirtualService[];
  refs: VirtualServiceRef[];
  weights: Weights;
  error?: { code: string; field?: string; message?: string };
}

function docs(file: string): VirtualService[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as VirtualService);
}

/** Loads every case, sorted by name. */
export function loadCases(): GoldenCase[] {
  const names = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.args.yaml'))
    .map((f) => f.slice(0, -'.args.yaml'.length))
    .sort();
  return names.map((name) => {
    const args = docs(join(FIXTURES, `${name}.args.yaml`))[0] as unknown as Omit<
      GoldenCase,
      'name' | 'before'
    > & {
      virtualServices: VirtualServiceRef[];
    };
    const afterFile = join(FIXTURES, `${name}.after.yaml`);
    const hasAfter = readdirSync(FIXTURES).includes(`${name}.after.yaml`);
    return {
      name,
      before: docs(join(FIXTURES, `${name}.before.yaml`)),
      ...(hasAfter ? { after: docs(afterFile) } : {}),
      refs: args.virtualServices,
      weights: args.weights,
      ...(args.error === undefined ? {} : { error: args.error }),
    };
  });
}
