import { API_VERSION } from '../api/common.ts';
import type { Conversion } from './argo-template.ts';
import { withStandIns } from './argo-conditions.ts';
import { toSerinDuration } from './durations.ts';
import { queryShape } from './query-shape.ts';
import { carryMetadata, metricName } from './metadata.ts';
import { ItemLog, join } from './report.ts';
import { arr, int, isObj, num, obj, str, type Obj } from './values.ts';

/** What the Flagger converter may look up among the other inputs. */
export interface FlaggerContext {
  /** A MetricTemplate of the input by namespace and name. */
  readonly metricTemplate: (namespace: string | undefined, name: string) => Obj | undefined;
  /** serin's shipped AnalysisTemplates (analysis-templates/), by name. */
  readonly shipped: ReadonlyMap<string, Obj>;
  readonly prometheusAddress?: string | undefined;
  /** Records that a MetricTemplate was used, for its own report. */
  readonly used: (namespace: string | undefined, name: string, by: string) => void;
}

/** Flagger's built-in Istio metrics and the shipped serin template that measures the same. */
const BUILTIN: Readonly<Record<string, { template: string; scale: number; unit: string }>> = {
  // Flagger reads the success rate in percent; the shipped template as a ratio.
  'request-success-rate': { template: 'istio-success-rate', scale: 0.01, unit: '%' },
  'request-duration': { template: 'istio-latency-p99', scale: 1, unit: 'ms' },
};

const DROPPED_ANALYSIS: Readonly<Record<string, string>> = {
  stepWeightPromotion: 'serin promotes in one step after the last step',
  mirror: 'serin routes by weight only; mirroring is not supported',
  mirrorWeight: 'serin routes by weight only; mirroring is not supported',
  match: 'serin routes by weight only: A/B testing on headers or cookies is not supported',
  sessionAffinity: 'serin routes by weight only; session affinity is not supported',
  primaryReadyThreshold: 'serin waits for all primary pods to be ready',
  canaryReadyThreshold: 'serin waits for all canary pods to be ready',
  alerts: "serin's API has no alerts; alert on the Canary's Events and status (kstatus conditions) instead",
};

const DROPPED_SERVICE: Readonly<Record<string, string>> = {
  portName: 'the generated VirtualService routes by port number',
  portDiscovery: 'serin exposes the one service port',
  appProtocol: 'serin exposes the one service port',
  trafficPolicy: 'create a DestinationRule for <name>-primary and <name>-canary yourself',
  delegation: 'the generated VirtualService is not a delegate',
  apex: 'serin maintains <name>-primary and <name>-canary; the apex Service is yours',
  primary: 'serin maintains <name>-primary itself',
  canary: 'serin maintains <name>-canary itself',
  backends: 'serin generates no backends',
  gatewayRefs: 'serin routes with Istio VirtualServices, not Gateway API',
};

// Carried onto the generated VirtualService's route, as Flagger put them there.
const ROUTE_FIELDS = ['retries', 'timeout', 'headers', 'corsPolicy', 'rewrite'];

interface MetricSchedule {
  readonly interval: string;
  readonly threshold: number;
  readonly iterations?: number | undefined;
}

/** thresholdRange {min, max} as a CEL success condition, scaled to the serin query's unit. */
function thresholdCondition(range: Obj, scale: number): string | undefined {
  const parts: string[] = [];
  const min = num(range.min);
  const max = num(range.max);
  const literal = (value: number) => {
    const scaled = Number((value * scale).toPrecision(12));
    const text = String(scaled);
    return /[.e]/.test(text) ? text : `${text}.0`;
  };
  if (min !== undefined) parts.push(`result >= ${literal(min)}`);
  if (max !== undefined) parts.push(`result <= ${literal(max)}`);
  return parts.length === 0 ? undefined : parts.join(' && ');
}

/** Flagger's query variables as serin placeholders (or values fixed at import). */
function flaggerQuery(
  query: string,
  window: string,
  variables: Obj,
): { ok: true; query: string } | { ok: false; reason: string } {
  let failure: string | undefined;
  const out = query.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (match, name: string) => {
    const builtins: Readonly<Record<string, string>> = {
      namespace: '{{canary.namespace}}',
      target: '{{canary.workload}}',
      name: '{{canary.name}}',
      service: '{{canary.service}}',
      interval: window,
    };
    const builtin = builtins[name];
    if (builtin !== undefined) return builtin;
    const variable = name.startsWith('variables.')
      ? str(variables[name.slice('variables.'.length)])
      : undefined;
    if (variable !== undefined) return variable;
    failure = `the query uses ${match}, which has no serin equivalent`;
    return match;
  });
  return failure === undefined ? { ok: true, query: out } : { ok: false, reason: failure };
}

function schedule(base: Readonly<Record<string, unknown>>, s: MetricSchedule): Record<string, unknown> {
  const out: Record<string, unknown> = { name: base.name, interval: s.interval, initialDelay: s.interval };
  if (s.iterations !== undefined) out.count = s.iterations;
  else out.consecutiveSuccessLimit = 1;
  out.failureLimit = s.threshold - 1;
  return out;
}

function builtinMetric(
  metric: Obj,
  path: string,
  s: MetricSchedule,
  ctx: FlaggerContext,
  log: ItemLog,
): Record<string, unknown> | string {
  const name = str(metric.name) ?? '';
  const builtin = BUILTIN[name];
  if (builtin === undefined)
    return `"${name}" is neither a Flagger built-in (request-success-rate, request-duration) nor backed by a templateRef`;
  const shipped = ctx.shipped.get(builtin.template);
  const shippedMetric = obj(arr(obj(shipped?.spec).metrics)[0]);
  const prometheus = obj(obj(shippedMetric.provider).prometheus);
  if (str(prometheus.query) === undefined)
    return `serin's shipped template ${builtin.template} was not available to the importer`;
  const condition = thresholdCondition(obj(metric.thresholdRange), builtin.scale);
  if (condition === undefined) return 'no thresholdRange: Flagger needs min or max';
  const window = toSerinDuration(metric.interval ?? '1m');
  if (window === undefined) return `interval ${JSON.stringify(metric.interval)} is not a duration`;
  const render = (text: string) =>
    text
      .replaceAll('{{args.namespace}}', '{{canary.namespace}}')
      .replaceAll('{{args.workload}}', '{{canary.workload}}')
      .replaceAll('{{args.window}}', window);
  const out: Record<string, unknown> = {
    ...schedule({ name: metricName(name) }, s),
    successCondition: condition,
    noData: 'Failed',
  };
  if (isObj(shippedMetric.minTraffic)) {
    out.minTraffic = {
      query: render(String(shippedMetric.minTraffic.query)),
      min: shippedMetric.minTraffic.min,
    };
    log.changed(
      join(path, 'name'),
      `${name}: the query of serin's ${builtin.template} (window ${window}); below ${String(shippedMetric.minTraffic.min)} requests in the window a measurement is Inconclusive (serin's traffic guard), where Flagger would have judged it`,
    );
  } else {
    log.kept(join(path, 'name'), `${name}: the query of serin's ${builtin.template} (window ${window})`);
  }
  log.kept(
    join(path, 'thresholdRange'),
    `${JSON.stringify(metric.thresholdRange)} ${builtin.unit} → ${condition}`,
  );
  const address = ctx.prometheusAddress ?? str(prometheus.address) ?? '';
  if (ctx.prometheusAddress === undefined)
    log.changed(
      join(path, 'name'),
      `Prometheus address ${address} (the shipped template's): Flagger used its --metrics-server flag; pass --prometheus-address`,
    );
  out.provider = {
    prometheus: {
      address,
      scrapeInterval: prometheus.scrapeInterval ?? '1m',
      query: render(String(prometheus.query)),
    },
  };
  return out;
}

function templateMetric(
  metric: Obj,
  path: string,
  s: MetricSchedule,
  owner: Obj,
  ctx: FlaggerContext,
  log: ItemLog,
): Record<string, unknown> | string {
  const ref = obj(metric.templateRef);
  const refName = str(ref.name) ?? '';
  const namespace = str(ref.namespace) ?? str(obj(owner.metadata).namespace);
  const template = ctx.metricTemplate(namespace, refName);
  if (template === undefined)
    return `MetricTemplate ${refName} is not in the input: import it together with the Canary`;
  const tspec = obj(template.spec);
  const provider = obj(tspec.provider);
  if ((str(provider.type) ?? 'prometheus') !== 'prometheus')
    return `MetricTemplate ${refName} uses the ${str(provider.type) ?? ''} provider: serin measures with Prometheus only`;
  const condition = thresholdCondition(obj(metric.thresholdRange), 1);
  if (condition === undefined) return 'no thresholdRange: Flagger needs min or max';
  const window = toSerinDuration(metric.interval ?? '1m');
  if (window === undefined) return `interval ${JSON.stringify(metric.interval)} is not a duration`;
  const query = flaggerQuery(str(tspec.query) ?? '', window, obj(metric.templateVariables));
  if (!query.ok) return query.reason;
  const address = str(provider.address) ?? ctx.prometheusAddress;
  if (address === undefined)
    return `MetricTemplate ${refName} has no address (Flagger used its --metrics-server flag): pass --prometheus-address`;
  const prometheus: Record<string, unknown> = { address, scrapeInterval: '1m', query: query.query };
  if (isObj(provider.secretRef)) {
    prometheus.bearerTokenSecretRef = { name: str(provider.secretRef.name) ?? '', key: 'token' };
    log.changed(
      join(path, 'templateRef'),
      `MetricTemplate ${refName} provider.secretRef: the Secret's "token" key is sent as a bearer token; serin has no basic auth (username/password)`,
    );
  }
  if (provider.insecureSkipVerify === true)
    log.dropped(
      join(path, 'templateRef'),
      `MetricTemplate ${refName} provider.insecureSkipVerify: serin always verifies TLS certificates`,
    );
  ctx.used(
    namespace,
    refName,
    `Canary ${str(obj(owner.metadata).name) ?? ''} metric ${str(metric.name) ?? ''}`,
  );
  log.kept(
    join(path, 'templateRef'),
    `MetricTemplate ${refName}: its query (Flagger's {{ namespace }}, {{ target }}, {{ interval }}, {{ variables.x }} filled in)`,
  );
  log.kept(join(path, 'thresholdRange'), `${JSON.stringify(metric.thresholdRange)} → ${condition}`);
  if (queryShape(withStandIns(query.query)) === 'many')
    log.changed(
      join(path, 'templateRef'),
      'Flagger reads one value (the last series of the result); serin reads several series as a list, which this condition cannot compare (an Error measurement): the query must return one series',
    );
  return {
    ...schedule({ name: metricName(str(metric.name) ?? refName) }, s),
    successCondition: condition,
    noData: 'Failed',
    provider: { prometheus },
  };
}

function metricsFor(
  source: Obj,
  s: MetricSchedule,
  ctx: FlaggerContext,
  log: ItemLog,
): Record<string, unknown>[] {
  const analysis = obj(obj(source.spec).analysis);
  return arr(analysis.metrics).flatMap((raw, index) => {
    const metric = obj(raw);
    const path = join('spec.analysis.metrics', index);
    const converted =
      isObj(metric.templateRef) || metric.query === undefined
        ? isObj(metric.templateRef)
          ? templateMetric(metric, path, s, source, ctx, log)
          : builtinMetric(metric, path, s, ctx, log)
        : 'an inline query (deprecated in Flagger): move it into a MetricTemplate';
    if (typeof converted === 'string') {
      log.dropped(path, `metric ${str(metric.name) ?? ''} not converted: ${converted}`);
      return [];
    }
    log.unhandled(
      metric,
      ['name', 'templateRef', 'thresholdRange', 'interval', 'templateVariables', 'query'],
      path,
    );
    return [converted];
  });
}

/** Flagger's weight schedule as serin steps: setWeight, then the analysis at that weight. */
function weights(analysis: Obj): number[] | string {
  const explicit = arr(analysis.stepWeights).flatMap((w) => (int(w) === undefined ? [] : [w as number]));
  if (explicit.length > 0) return explicit;
  const step = int(analysis.stepWeight);
  if (step === undefined || step <= 0) return [];
  const max = int(analysis.maxWeight) ?? 100;
  const out: number[] = [];
  for (let weight = step; ; weight += step) {
    out.push(Math.min(weight, max));
    if (weight >= max) break;
    if (out.length > 32)
      return `stepWeight ${step} up to maxWeight ${max} is more than 32 weights; serin allows 64 steps`;
  }
  return out;
}

function generatedVirtualService(
  source: Obj,
  serviceName: string,
  port: number,
  log: ItemLog,
): Record<string, unknown> {
  const service = obj(obj(source.spec).service);
  const metadata = obj(source.metadata);
  const route: Record<string, unknown> = { name: 'primary' };
  for (const field of ROUTE_FIELDS) {
    if (service[field] === undefined) continue;
    route[field] = service[field];
    log.kept(join('spec.service', field), 'on the generated VirtualService route, as Flagger set it');
  }
  if (service.match !== undefined) {
    route.match = service.match;
    log.kept('spec.service.match', 'on the generated VirtualService route');
  }
  const destination = (suffix: string, weight: number) => ({
    destination: { host: `${serviceName}-${suffix}`, port: { number: port } },
    weight,
  });
  route.route = [destination('primary', 100), destination('canary', 0)];
  const hosts = [
    serviceName,
    ...arr(service.hosts).filter((h) => typeof h === 'string' && h !== serviceName),
  ];
  const spec: Record<string, unknown> = { hosts };
  if (Array.isArray(service.gateways)) spec.gateways = service.gateways;
  spec.http = [route];
  const meta: Record<string, unknown> = { name: serviceName };
  if (str(metadata.namespace) !== undefined) meta.namespace = metadata.namespace;
  log.added(
    'spec.service',
    `VirtualService ${serviceName} (hosts ${hosts.join(', ')}, route "primary" → ${serviceName}-primary / ${serviceName}-canary): Flagger generated and owned its VirtualService, serin edits the weights of yours; apply this one in its place`,
  );
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta, spec };
}

function reportDropped(source: Obj, log: ItemLog): void {
  const spec = obj(source.spec);
  const analysis = obj(spec.analysis);
  const service = obj(spec.service);
  for (const [field, reason] of Object.entries(DROPPED_ANALYSIS)) {
    if (analysis[field] !== undefined) log.dropped(join('spec.analysis', field), reason);
  }
  arr(analysis.webhooks).forEach((raw, index) => {
    const hook = obj(raw);
    log.dropped(
      join('spec.analysis.webhooks', index),
      `webhook ${str(hook.name) ?? ''} (${str(hook.type) ?? 'rollout'}): serin has no webhook gates yet; an on-call Approval (pause: {}) is the nearest`,
    );
  });
  for (const [field, reason] of Object.entries(DROPPED_SERVICE)) {
    if (service[field] !== undefined) log.dropped(join('spec.service', field), reason);
  }
  if (spec.autoscalerRef !== undefined)
    log.dropped('spec.autoscalerRef', 'serin does not copy an HPA to <name>-primary; create one for it');
  if (spec.revertOnDeletion !== undefined)
    log.dropped('spec.revertOnDeletion', 'serin always hands traffic back when a Canary is deleted');
  log.unhandled(
    analysis,
    [
      'interval',
      'threshold',
      'stepWeight',
      'stepWeights',
      'maxWeight',
      'iterations',
      'metrics',
      'webhooks',
      ...Object.keys(DROPPED_ANALYSIS),
    ],
    'spec.analysis',
  );
  log.unhandled(
    service,
    [
      'name',
      'port',
      'targetPort',
      'hosts',
      'gateways',
      'match',
      ...ROUTE_FIELDS,
      ...Object.keys(DROPPED_SERVICE),
    ],
    'spec.service',
  );
  log.unhandled(
    spec,
    [
      'provider',
      'targetRef',
      'service',
      'analysis',
      'progressDeadlineSeconds',
      'skipAnalysis',
      'suspend',
      'autoscalerRef',
      'revertOnDeletion',
    ],
    'spec',
  );
}

/** A Flagger Canary (Istio, Deployment) as a serin Canary, AnalysisTemplate and VirtualService. */
export function convertFlaggerCanary(source: Obj, ctx: FlaggerContext): Conversion {
  const log = new ItemLog();
  const spec = obj(source.spec);
  const targetRef = obj(spec.targetRef);
  const provider = str(spec.provider) ?? 'istio';
  if (provider !== 'istio')
    return { ok: false, reason: `provider ${provider}: serin routes with Istio only`, log };
  if (str(targetRef.kind) !== 'Deployment')
    return {
      ok: false,
      reason: `targetRef to a ${str(targetRef.kind) ?? 'missing kind'}: serin targets Deployments`,
      log,
    };
  const service = obj(spec.service);
  const port = int(service.port);
  if (port === undefined) return { ok: false, reason: 'spec.service.port is missing', log };
  const analysis = obj(spec.analysis);
  const metadata = carryMetadata(obj(source.metadata), log);
  const name = String(metadata.name);
  const serviceName = str(service.name) ?? str(targetRef.name) ?? name;
  const steps = weights(analysis);
  if (typeof steps === 'string') return { ok: false, reason: steps, log };
  const iterations = int(analysis.iterations);
  if (steps.length === 0 && iterations === undefined)
    return { ok: false, reason: 'neither stepWeight(s) nor iterations: no schedule to convert', log };
  const interval = toSerinDuration(analysis.interval ?? '1m') ?? '1m';
  const threshold = Math.max(int(analysis.threshold) ?? 1, 1);
  const s: MetricSchedule = { interval, threshold, iterations: steps.length === 0 ? iterations : undefined };
  const metrics = metricsFor(source, s, ctx, log);
  const templateName = `${name}-analysis`;
  const analysisStep =
    metrics.length > 0 ? { analysis: { templates: [{ templateName }] } } : { pause: { duration: interval } };
  const serinSteps =
    steps.length === 0 ? [analysisStep] : steps.flatMap((weight) => [{ setWeight: weight }, analysisStep]);
  log.kept(
    'spec.analysis',
    steps.length === 0
      ? `iterations ${String(iterations)} (blue/green): one analysis step measuring each metric ${String(iterations)} times, every ${interval}, at weight 0; promoted after it`
      : `weights ${steps.join(', ')}: setWeight, then ${metrics.length > 0 ? `an analysis at that weight (each metric measured every ${interval} after ${interval}, until it passes once)` : `a pause of ${interval}`}; promoted after the last`,
  );
  if (metrics.length > 0) {
    log.changed(
      'spec.analysis.threshold',
      `${threshold}: each step's analysis fails a metric after ${threshold} failed measurements (failureLimit ${threshold - 1}, no data counting as failed); Flagger counted failed checks across the whole rollout, not per weight`,
    );
  }
  const canarySpec: Record<string, unknown> = {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: str(targetRef.name) ?? '' },
    service:
      service.targetPort === undefined
        ? { name: serviceName, port }
        : { name: serviceName, port, targetPort: service.targetPort },
    trafficRouting: { istio: { virtualServices: [{ name: serviceName, routes: ['primary'] }] } },
    steps: serinSteps,
  };
  log.kept('spec.targetRef', `Deployment ${str(targetRef.name) ?? ''}`);
  log.kept(
    'spec.service',
    `${serviceName}:${port} (serin maintains ${serviceName}-primary and ${serviceName}-canary, as Flagger did)`,
  );
  for (const field of ['progressDeadlineSeconds', 'skipAnalysis', 'suspend'] as const) {
    if (spec[field] === undefined) continue;
    canarySpec[field] = spec[field];
    log.kept(join('spec', field), JSON.stringify(spec[field]));
  }
  reportDropped(source, log);
  const objects: Record<string, unknown>[] = [
    { apiVersion: API_VERSION, kind: 'Canary', metadata, spec: canarySpec },
  ];
  if (metrics.length > 0) {
    const templateMeta: Record<string, unknown> = { name: templateName };
    if (metadata.namespace !== undefined) templateMeta.namespace = metadata.namespace;
    objects.push({
      apiVersion: API_VERSION,
      kind: 'AnalysisTemplate',
      metadata: templateMeta,
      spec: { metrics },
    });
    log.added(
      'spec.analysis.metrics',
      `AnalysisTemplate ${templateName} with the metrics, measured on Flagger's schedule`,
    );
  }
  objects.push(generatedVirtualService(source, serviceName, port, log));
  return { ok: true, objects, log };
}
