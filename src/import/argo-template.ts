import { API_VERSION } from '../api/common.ts';
import { convertArgoConditions } from './argo-conditions.ts';
import { toSerinDuration } from './durations.ts';
import { carryMetadata, metricName } from './metadata.ts';
import { ItemLog, join } from './report.ts';
import { arr, int, isObj, obj, str, type Obj } from './values.ts';

/** What converting one object gave: the serin objects, or nothing and why. */
export type Conversion =
  | { readonly ok: true; readonly objects: readonly Record<string, unknown>[]; readonly log: ItemLog }
  | { readonly ok: false; readonly reason: string; readonly log: ItemLog };

export interface TemplateOptions {
  /** Fills a metric without `address` (Argo then read ARGO_ROLLOUTS_PROMETHEUS_ADDRESS). */
  readonly prometheusAddress?: string | undefined;
}

const OTHER_PROVIDERS = [
  'web',
  'job',
  'datadog',
  'newRelic',
  'wavefront',
  'kayenta',
  'cloudWatch',
  'graphite',
  'influxdb',
  'skywalking',
  'plugin',
];

/** Argo args become serin args: `value` and `valueFrom.secretKeyRef` carry over. */
function convertArgs(args: readonly unknown[], log: ItemLog): Record<string, unknown>[] {
  return args.map((raw, index) => {
    const arg = obj(raw);
    const path = join('spec.args', index);
    const out: Record<string, unknown> = { name: str(arg.name) ?? '' };
    if (typeof arg.value === 'string') out.value = arg.value;
    const from = obj(arg.valueFrom);
    if (isObj(from.secretKeyRef)) {
      out.valueFrom = {
        secretKeyRef: { name: str(from.secretKeyRef.name), key: str(from.secretKeyRef.key) },
      };
    }
    log.unhandled(
      from,
      ['secretKeyRef'],
      join(path, 'valueFrom'),
      'serin args take a value or a Secret key only: callers must pass this arg',
    );
    log.unhandled(arg, ['name', 'value', 'valueFrom'], path);
    log.kept(path, `arg ${String(out.name)}`);
    return out;
  });
}

/** Argo lets counts and limits be `{{args.x}}`; serin needs a number, so the arg's default is used. */
function intField(
  metric: Obj,
  field: string,
  path: string,
  defaults: ReadonlyMap<string, string | undefined>,
  log: ItemLog,
): number | undefined | 'invalid' {
  const value = metric[field];
  if (value === undefined) return undefined;
  if (int(value) !== undefined) {
    log.kept(join(path, field), JSON.stringify(value));
    return value as number;
  }
  const text = str(value) ?? '';
  const arg = /^\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}$/.exec(text)?.[1];
  const resolved = arg === undefined ? text : defaults.get(arg);
  if (resolved !== undefined && /^-?\d+$/.test(resolved)) {
    if (arg === undefined) log.kept(join(path, field), resolved);
    else
      log.changed(
        join(path, field),
        `"${text}" → ${resolved} (the arg's default, fixed at import: serin needs a number)`,
      );
    return Number(resolved);
  }
  return 'invalid';
}

function durationField(
  metric: Obj,
  field: string,
  path: string,
  defaults: ReadonlyMap<string, string | undefined>,
  log: ItemLog,
): string | undefined | null {
  const value = metric[field];
  if (value === undefined) return undefined;
  const text = str(value) ?? '';
  const arg = /^\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}$/.exec(text)?.[1];
  const duration = toSerinDuration(arg === undefined ? value : defaults.get(arg));
  if (duration === undefined) return null;
  if (arg !== undefined)
    log.changed(join(path, field), `"${text}" → ${duration} (the arg's default, fixed at import)`);
  else if (duration === value) log.kept(join(path, field), duration);
  else
    log.changed(
      join(path, field),
      `${JSON.stringify(value)} → ${duration} (the same duration, in serin's form)`,
    );
  return duration;
}

/** Argo's `{{args.x}}` and `{{ args.x }}` become serin's `{{args.x}}`. */
export function argoPlaceholders(text: string): string {
  return text.replace(/\{\{\s*(args\.[A-Za-z0-9_.-]+)\s*\}\}/g, '{{$1}}');
}

interface MetricContext {
  readonly defaults: ReadonlyMap<string, string | undefined>;
  readonly dryRun: readonly RegExp[];
  readonly options: TemplateOptions;
  readonly log: ItemLog;
}

function convertPrometheus(
  provider: Obj,
  path: string,
  ctx: MetricContext,
): Record<string, unknown> | string {
  const { log } = ctx;
  const query = str(provider.query);
  if (query === undefined) return 'provider.prometheus.query is missing';
  if (provider.rangeQuery !== undefined)
    return 'rangeQuery: serin runs instant queries; a range query has no serin form';
  const out: Record<string, unknown> = {};
  const address = str(provider.address) ?? ctx.options.prometheusAddress;
  if (address === undefined) {
    return 'no address: Argo read ARGO_ROLLOUTS_PROMETHEUS_ADDRESS from its controller; pass --prometheus-address';
  }
  out.address = address;
  if (provider.address === undefined)
    log.changed(
      join(path, 'address'),
      `not set in Argo (ARGO_ROLLOUTS_PROMETHEUS_ADDRESS); ${address} from --prometheus-address`,
    );
  else log.kept(join(path, 'address'), address);
  out.query = argoPlaceholders(query);
  log.kept(join(path, 'query'), out.query === query ? 'query' : 'query ({{ args.x }} written {{args.x}})');
  if (provider.timeout !== undefined) {
    const timeout = int(provider.timeout);
    if (timeout === undefined || timeout < 0)
      log.dropped(
        join(path, 'timeout'),
        `${JSON.stringify(provider.timeout)} is not a number of seconds; serin's default (30s) applies`,
      );
    else {
      out.timeout = `${timeout}s`;
      log.kept(join(path, 'timeout'), `${timeout} seconds → ${timeout}s`);
    }
  }
  const headers = arr(provider.headers);
  if (headers.length > 0) {
    out.headers = headers.map((header) => ({
      name: str(obj(header).key) ?? str(obj(header).name) ?? '',
      value: str(obj(header).value) ?? '',
    }));
    log.kept(join(path, 'headers'), `${headers.length} header(s) (key → name)`);
  }
  const auth = obj(provider.authentication);
  if (isObj(auth.sigv4))
    log.dropped(
      join(path, 'authentication.sigv4'),
      'serin has no AWS SigV4 signing; put a signing proxy (e.g. aws-sigv4-proxy) in front of Amazon Managed Prometheus and point address at it',
    );
  if (isObj(auth.oauth2))
    log.dropped(
      join(path, 'authentication.oauth2'),
      'serin has no OAuth2 client; it sends a bearer token from a Secret (bearerTokenSecretRef)',
    );
  log.unhandled(auth, ['sigv4', 'oauth2'], join(path, 'authentication'));
  if (provider.insecure === true)
    log.dropped(join(path, 'insecure'), 'serin always verifies TLS certificates');
  log.unhandled(
    provider,
    ['address', 'query', 'timeout', 'headers', 'authentication', 'insecure', 'rangeQuery'],
    path,
  );
  log.added(
    join(path, 'scrapeInterval'),
    "1m (Prometheus' default): serin defers a passing measurement until the canary's traffic covers the query's window plus two scrapes; set it to your scrape_interval",
  );
  return out;
}

function convertMetric(raw: unknown, index: number, ctx: MetricContext): Record<string, unknown> | null {
  const { log } = ctx;
  const metric = obj(raw);
  const path = join('spec.metrics', index);
  const name = str(metric.name) ?? `metric-${index}`;
  const drop = (reason: string): null => {
    log.dropped(path, `metric "${name}" not converted: ${reason}`);
    return null;
  };
  const provider = obj(metric.provider);
  const other = OTHER_PROVIDERS.find((key) => key in provider);
  if (!isObj(provider.prometheus))
    return drop(
      other === undefined
        ? 'it has no prometheus provider'
        : `the ${other} provider: serin measures with Prometheus (and its judge) only`,
    );
  // A metric log of its own, merged only when the metric converts: a dropped metric is one line.
  const metricLog = new ItemLog();
  const mctx = { ...ctx, log: metricLog };
  const prometheus = convertPrometheus(provider.prometheus, join(path, 'provider.prometheus'), mctx);
  if (typeof prometheus === 'string') return drop(prometheus);
  const conditions = convertArgoConditions(metric, String(prometheus.query), ctx.defaults, path, metricLog);
  if (!conditions.ok) return drop(conditions.reason);
  const out: Record<string, unknown> = { name: metricName(name) };
  if (out.name === name) metricLog.kept(join(path, 'name'), name);
  else
    metricLog.changed(
      join(path, 'name'),
      `"${name}" → "${String(out.name)}" (serin metric names are lowercase letters, digits, "-" and "_")`,
    );
  for (const field of ['interval', 'initialDelay'] as const) {
    const value = durationField(metric, field, path, ctx.defaults, metricLog);
    if (value === 'invalid')
      return drop(`${field} ${JSON.stringify(metric[field])} is not a duration serin can express`);
    if (value !== undefined) out[field] = value;
  }
  for (const field of [
    'count',
    'failureLimit',
    'inconclusiveLimit',
    'consecutiveErrorLimit',
    'consecutiveSuccessLimit',
  ] as const) {
    const value = intField(metric, field, path, ctx.defaults, metricLog);
    if (value === 'invalid')
      return drop(
        `${field} ${JSON.stringify(metric[field])} is not a number (nor an arg with a numeric default)`,
      );
    if (value !== undefined) out[field] = value;
  }
  if (conditions.successCondition !== undefined) out.successCondition = conditions.successCondition;
  if (conditions.failureCondition !== undefined) out.failureCondition = conditions.failureCondition;
  out.noData = conditions.noData;
  if (ctx.dryRun.some((pattern) => pattern.test(name))) {
    out.dryRun = true;
    metricLog.kept(join(path, 'dryRun'), 'spec.dryRun names this metric: dryRun: true');
  }
  out.provider = { prometheus: prometheus };
  metricLog.unhandled(
    metric,
    [
      'name',
      'provider',
      'successCondition',
      'failureCondition',
      'interval',
      'initialDelay',
      'count',
      'failureLimit',
      'inconclusiveLimit',
      'consecutiveErrorLimit',
      'consecutiveSuccessLimit',
    ],
    path,
  );
  log.items.push(...metricLog.items);
  return out;
}

/** Argo's `spec.dryRun[].metricName` is a regular expression matched against metric names. */
function dryRunPatterns(spec: Obj, log: ItemLog): RegExp[] {
  return arr(spec.dryRun).flatMap((raw, index) => {
    const pattern = str(obj(raw).metricName);
    try {
      return pattern === undefined ? [] : [new RegExp(`^(?:${pattern})$`)];
    } catch {
      log.dropped(
        join('spec.dryRun', index),
        `metricName ${JSON.stringify(pattern)} is not a regular expression`,
      );
      return [];
    }
  });
}

/** An Argo (Cluster)AnalysisTemplate as a serin one: every Prometheus metric that converts. */
export function convertArgoTemplate(source: Obj, options: TemplateOptions): Conversion {
  const log = new ItemLog();
  const spec = obj(source.spec);
  const kind =
    str(source.kind) === 'ClusterAnalysisTemplate' ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
  const metadata = carryMetadata(obj(source.metadata), log);
  const args = convertArgs(arr(spec.args), log);
  const defaults = new Map(
    args.map((arg) => [String(arg.name), typeof arg.value === 'string' ? arg.value : undefined]),
  );
  const ctx: MetricContext = { defaults, dryRun: dryRunPatterns(spec, log), options, log };
  const metrics = arr(spec.metrics).flatMap((raw, index) => convertMetric(raw, index, ctx) ?? []);
  if (spec.measurementRetention !== undefined)
    log.dropped('spec.measurementRetention', 'serin keeps the last 10 measurements of each metric in status');
  log.unhandled(spec, ['args', 'metrics', 'dryRun', 'measurementRetention'], 'spec');
  if (metrics.length === 0)
    return { ok: false, reason: 'no metric could be converted (serin needs at least one)', log };
  const spec2: Record<string, unknown> = args.length > 0 ? { args, metrics } : { metrics };
  return { ok: true, objects: [{ apiVersion: API_VERSION, kind, metadata, spec: spec2 }], log };
}
