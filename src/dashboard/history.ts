import type { AnalysisArg, AnalysisTemplateSpec, Canary } from '../api/index.ts';
import { builtinArgsFor, renderTemplate, resolveArgs } from '../analysis/index.ts';
import type { KubeObject } from '../kube/index.ts';
import type { HistoryAnswer } from './api-types.ts';

/** How far back the chart looks, and its resolution. */
const RANGE_MS = 15 * 60_000;
const POINTS = 180;
const TIMEOUT_MS = 5_000;

interface StepLike {
  analysis?: { templates?: { templateName?: string; clusterTemplateName?: string }[]; args?: AnalysisArg[] };
}

function templateName(template: KubeObject): string {
  return template.metadata.name ?? '';
}

/** The args the Canary gives the analysis that uses `template` (a step's, else spec.analysis'). */
function suppliedArgs(canary: KubeObject, template: KubeObject): AnalysisArg[] {
  const spec = canary.spec as { steps?: StepLike[]; analysis?: StepLike['analysis'] };
  const analyses = [...(spec.steps ?? []).map((s) => s.analysis), spec.analysis];
  const name = templateName(template);
  const uses = analyses.find((a) =>
    (a?.templates ?? []).some((t) => t.templateName === name || t.clusterTemplateName === name),
  );
  return uses?.args ?? [];
}

interface PrometheusMetric {
  name: string;
  provider?: { prometheus?: { address?: string; query?: string } };
}

/** The metric's rendered query and its Prometheus, or why there is none. */
async function queryFor(
  canary: KubeObject,
  templates: readonly KubeObject[],
  metric: string,
): Promise<{ ok: true; address: string; query: string } | { ok: false; reason: string }> {
  for (const template of templates) {
    const spec = template.spec as AnalysisTemplateSpec;
    const found = ((spec as { metrics?: PrometheusMetric[] }).metrics ?? []).find((m) => m.name === metric);
    const prom = found?.provider?.prometheus;
    if (found === undefined) continue;
    if (prom?.address === undefined || prom.query === undefined)
      return { ok: false, reason: `metric ${metric} has no Prometheus query` };
    const revision = (canary.status as { revision?: string } | undefined)?.revision ?? '';
    const args = await resolveArgs({
      templates: [spec],
      supplied: suppliedArgs(canary, template),
      builtins: builtinArgsFor(canary as unknown as Canary, revision),
    });
    if (!args.ok) return { ok: false, reason: `the query's args cannot be resolved here: ${args.error}` };
    if (args.args.secrets.length > 0)
      return { ok: false, reason: 'the query uses a Secret-backed arg; the dashboard does not read Secrets' };
    const rendered = renderTemplate(prom.query, args.args.values);
    if (!rendered.ok) return { ok: false, reason: rendered.error };
    return { ok: true, address: prom.address, query: rendered.value };
  }
  return { ok: false, reason: `no template of this Canary defines metric ${metric}` };
}

/**
 * The metric's recent history, from the template's own Prometheus with a range query. Reachable or
 * not, the answer is a value: the chart still shows the measurements in status without it.
 */
export async function metricHistory(input: {
  canary: KubeObject;
  templates: readonly KubeObject[];
  metric: string;
  now: number;
  fetch?: typeof fetch;
}): Promise<HistoryAnswer> {
  const target = await queryFor(input.canary, input.templates, input.metric);
  if (!target.ok) return target;
  const end = input.now / 1000;
  const start = end - RANGE_MS / 1000;
  const step = Math.max(1, Math.round(RANGE_MS / 1000 / POINTS));
  const url = new URL(
    'api/v1/query_range',
    target.address.endsWith('/') ? target.address : `${target.address}/`,
  );
  url.search = new URLSearchParams({
    query: target.query,
    start: `${start}`,
    end: `${end}`,
    step: `${step}`,
  }).toString();
  try {
    const res = await (input.fetch ?? fetch)(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = (await res.json()) as {
      status?: string;
      error?: string;
      data?: { result?: { values?: [number, string][] }[] };
    };
    if (body.status !== 'success')
      return { ok: false, reason: `Prometheus answered: ${body.error ?? res.statusText}` };
    const values = body.data?.result?.[0]?.values ?? [];
    const points = values
      .map(([t, v]) => [t * 1000, Number(v)] as const)
      .filter(([, v]) => Number.isFinite(v));
    return { ok: true, query: target.query, points };
  } catch (err) {
    return {
      ok: false,
      reason: `Prometheus at ${target.address} is not reachable from here (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}
