import { convertArgoRollout } from './argo-rollout.ts';
import { convertArgoTemplate, type Conversion } from './argo-template.ts';
import { convertFlaggerCanary } from './flagger-canary.ts';
import { ItemLog, type ObjectReport, type SourceRef } from './report.ts';
import { isObj, obj, str, type Obj } from './values.ts';

/** One parsed input document and where it came from. */
export interface ImportInput {
  readonly content: unknown;
  readonly file?: string;
  /** 1-based document number in the file. */
  readonly document?: number;
}

export interface ImportOptions {
  /** serin's shipped AnalysisTemplates (analysis-templates/), for Flagger's built-in metrics. */
  readonly shippedTemplates?: readonly unknown[];
  /** Prometheus address for metrics whose source left it to its controller's configuration. */
  readonly prometheusAddress?: string | undefined;
  /** Leave out objects that are neither Argo Rollouts' nor Flagger's, instead of passing them through. */
  readonly onlyConverted?: boolean;
}

/** An output object and the index (in `reports`) of the input object it came from. */
export interface ImportedObject {
  readonly content: Readonly<Record<string, unknown>>;
  readonly from: number;
}

export interface ImportResult {
  readonly objects: readonly ImportedObject[];
  readonly reports: readonly ObjectReport[];
}

/** What became of one input before the reports are written. */
type Pending =
  | Conversion
  | { readonly kind: 'passthrough' }
  | { readonly kind: 'metricTemplate' }
  | { readonly kind: 'refused'; readonly reason: string };

const ARGO = 'argoproj.io/v1alpha1';
const FLAGGER = 'flagger.app/v1beta1';

const NOT_CONVERTED: Readonly<Record<string, string>> = {
  [`${ARGO}/AnalysisRun`]: 'an AnalysisRun is a run, not a definition; serin starts its own from the Canary',
  [`${ARGO}/Experiment`]: 'serin has no experiments',
  [`${FLAGGER}/AlertProvider`]:
    "serin's API has no alert providers; alert on the Canary's Events and status instead",
};

function sourceOf(input: ImportInput): SourceRef {
  const content = obj(input.content);
  const metadata = obj(content.metadata);
  const namespace = str(metadata.namespace);
  return {
    ...(input.file === undefined ? {} : { file: input.file }),
    ...(input.document === undefined ? {} : { document: input.document }),
    apiVersion: str(content.apiVersion) ?? '',
    kind: str(content.kind) ?? '',
    name: str(metadata.name) ?? '',
    ...(namespace === undefined ? {} : { namespace }),
  };
}

const key = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

function indexBy(
  inputs: readonly ImportInput[],
  apiVersion: (v: string) => boolean,
  kind: string,
): Map<string, Obj> {
  const index = new Map<string, Obj>();
  for (const input of inputs) {
    const content = obj(input.content);
    if (!apiVersion(str(content.apiVersion) ?? '') || content.kind !== kind) continue;
    const metadata = obj(content.metadata);
    index.set(key(str(metadata.namespace), str(metadata.name) ?? ''), content);
  }
  return index;
}

/**
 * Converts Argo Rollouts (AnalysisTemplate, ClusterAnalysisTemplate, Rollout) and Flagger (Canary,
 * with its MetricTemplates) objects into serin objects, with a report per input object. Pure: the
 * caller parses, lints and writes.
 */
export function importObjects(inputs: readonly ImportInput[], options: ImportOptions = {}): ImportResult {
  const services = indexBy(inputs, (v) => v === 'v1', 'Service');
  const metricTemplates = indexBy(inputs, (v) => v === FLAGGER, 'MetricTemplate');
  const shipped = new Map(
    (options.shippedTemplates ?? []).filter(isObj).map((t) => [str(obj(t.metadata).name) ?? '', t] as const),
  );
  const usedBy = new Map<string, string[]>();
  const objects: ImportedObject[] = [];
  const pending: {
    input: ImportInput;
    conversion: Pending;
  }[] = [];
  for (const input of inputs) {
    const content = obj(input.content);
    const id = `${str(content.apiVersion) ?? ''}/${str(content.kind) ?? ''}`;
    const namespace = str(obj(content.metadata).namespace);
    let conversion: Pending;
    if (id === `${ARGO}/AnalysisTemplate` || id === `${ARGO}/ClusterAnalysisTemplate`) {
      conversion = convertArgoTemplate(content, { prometheusAddress: options.prometheusAddress });
    } else if (id === `${ARGO}/Rollout`) {
      conversion = convertArgoRollout(content, {
        service: (ns, name) => services.get(key(ns ?? namespace, name)),
      });
    } else if (id === `${FLAGGER}/Canary`) {
      conversion = convertFlaggerCanary(content, {
        metricTemplate: (ns, name) => metricTemplates.get(key(ns, name)),
        shipped,
        prometheusAddress: options.prometheusAddress,
        used: (ns, name, by) => {
          usedBy.set(key(ns, name), [...(usedBy.get(key(ns, name)) ?? []), by]);
        },
      });
    } else if (id === `${FLAGGER}/MetricTemplate`) {
      conversion = { kind: 'metricTemplate' };
    } else if (NOT_CONVERTED[id] !== undefined) {
      conversion = { kind: 'refused', reason: NOT_CONVERTED[id] };
    } else if (id.startsWith('argoproj.io/') || id.startsWith('flagger.app/')) {
      conversion = {
        kind: 'refused',
        reason: `${id} is not a kind or version serin import knows (it reads ${ARGO} and ${FLAGGER})`,
      };
    } else {
      conversion = { kind: 'passthrough' };
    }
    pending.push({ input, conversion });
  }
  const reports = pending.map(({ input, conversion }, index): ObjectReport => {
    const source = sourceOf(input);
    if ('kind' in conversion && conversion.kind === 'passthrough') {
      if (options.onlyConverted === true) return { source, outcome: 'omitted', outputs: [], items: [] };
      objects.push({ content: obj(input.content), from: index });
      return { source, outcome: 'passed-through', outputs: [`${source.kind}/${source.name}`], items: [] };
    }
    if ('kind' in conversion && conversion.kind === 'metricTemplate') {
      const users = usedBy.get(key(source.namespace, source.name));
      const log = new ItemLog();
      if (users === undefined) {
        log.dropped(
          '',
          'a MetricTemplate holds a query without a threshold; it converts only as a metric of a Flagger Canary in the same input, and none uses it',
        );
        return { source, outcome: 'not-converted', outputs: [], items: log.items };
      }
      log.kept('spec', `converted as a metric of ${users.join(', ')}`);
      return { source, outcome: 'converted', outputs: [], items: log.items };
    }
    if ('kind' in conversion) {
      return {
        source,
        outcome: 'not-converted',
        outputs: [],
        items: [{ outcome: 'dropped', path: '', message: conversion.reason }],
      };
    }
    if (!conversion.ok) {
      conversion.log.dropped('', `not converted: ${conversion.reason}`);
      return { source, outcome: 'not-converted', outputs: [], items: conversion.log.items };
    }
    for (const content of conversion.objects) objects.push({ content, from: index });
    return {
      source,
      outcome: conversion.log.lossy ? 'lossy' : 'converted',
      outputs: conversion.objects.map((o) => `${str(o.kind) ?? ''}/${str(obj(o.metadata).name) ?? ''}`),
      items: conversion.log.items,
    };
  });
  return { objects, reports };
}
