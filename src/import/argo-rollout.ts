import { API_VERSION } from '../api/common.ts';
import type { Conversion } from './argo-template.ts';
import { toSerinDuration } from './durations.ts';
import { carryMetadata } from './metadata.ts';
import { ItemLog, join } from './report.ts';
import { arr, int, isObj, obj, str, type Obj } from './values.ts';

/** What the Rollout converter may look up among the other input objects. */
export interface RolloutContext {
  /** A Service of the input by namespace and name (for the port serin's Canary needs). */
  readonly service: (namespace: string | undefined, name: string) => Obj | undefined;
}

const UNSUPPORTED_STEPS: Readonly<Record<string, string>> = {
  setCanaryScale: 'serin scales the canary with its Deployment; it has no separate canary scale',
  setHeaderRoute: 'serin routes by weight only; header-based routes are not supported',
  setMirrorRoute: 'serin routes by weight only; mirrored traffic is not supported',
  experiment: 'serin has no experiments; run the analysis as a step instead',
  plugin: 'serin has no step plugins',
};

const DROPPED_CANARY_FIELDS: Readonly<Record<string, string>> = {
  maxSurge: "serin's canary is the Deployment itself: its own rolling-update settings apply",
  maxUnavailable: "serin's canary is the Deployment itself: its own rolling-update settings apply",
  dynamicStableScale: 'serin keeps the primary at full scale until promotion',
  scaleDownDelayRevisionLimit: 'serin runs one primary and one canary, never older revisions',
  minPodsPerReplicaSet: 'serin scales the Deployment as its replicas say',
  antiAffinity: 'set affinity in the pod template',
  canaryMetadata: 'serin does not relabel the canary pods',
  stableMetadata: 'serin does not relabel the primary pods',
  pingPong: "serin's Services are <name>-primary and <name>-canary; there is no ping-pong",
};

function convertAnalysisRef(raw: unknown, path: string, log: ItemLog): Record<string, unknown> | undefined {
  const ref = obj(raw);
  const templates = arr(ref.templates).map((t, index) => {
    const template = obj(t);
    const name = str(template.templateName) ?? '';
    log.unhandled(template, ['templateName', 'clusterScope'], join(join(path, 'templates'), index));
    return template.clusterScope === true ? { clusterTemplateName: name } : { templateName: name };
  });
  if (templates.length === 0) return undefined;
  const args = arr(ref.args).flatMap((a, index) => {
    const arg = obj(a);
    const argPath = join(join(path, 'args'), index);
    if (typeof arg.value === 'string') return [{ name: str(arg.name) ?? '', value: arg.value }];
    log.dropped(
      argPath,
      `arg ${str(arg.name) ?? ''}: valueFrom (${Object.keys(obj(arg.valueFrom)).join(', ')}) has no serin form: serin args are values; the built-ins {{canary.revision}}, {{canary.workload}}... cover the pod template hash and the workload`,
    );
    return [];
  });
  log.unhandled(ref, ['templates', 'args', 'startingStep'], path);
  log.kept(path, `templates ${templates.map((t) => Object.values(t)[0] ?? '').join(', ')}`);
  return args.length > 0 ? { templates, args } : { templates };
}

function convertStep(raw: unknown, index: number, log: ItemLog): Record<string, unknown> | undefined {
  const step = obj(raw);
  const path = join('spec.strategy.canary.steps', index);
  const [key] = Object.keys(step);
  if (key === 'setWeight') {
    log.kept(path, `setWeight ${String(step.setWeight)}`);
    return { setWeight: step.setWeight };
  }
  if (key === 'pause') {
    const pause = obj(step.pause);
    if (pause.duration === undefined) {
      log.kept(
        path,
        'pause without duration: waits for an Approval (kubectl argo rollouts promote → serin promote)',
      );
      return { pause: {} };
    }
    const duration = toSerinDuration(pause.duration);
    if (duration === undefined) {
      log.dropped(
        path,
        `pause duration ${JSON.stringify(pause.duration)} is not a duration serin can express`,
      );
      return undefined;
    }
    log.kept(path, `pause ${duration}`);
    return { pause: { duration } };
  }
  if (key === 'analysis') {
    const analysis = convertAnalysisRef(step.analysis, join(path, 'analysis'), log);
    return analysis === undefined ? undefined : { analysis };
  }
  log.dropped(path, `${key ?? 'empty step'}: ${UNSUPPORTED_STEPS[key ?? ''] ?? 'not a step serin knows'}`);
  return undefined;
}

function virtualServices(istio: Obj, log: ItemLog): Record<string, unknown>[] {
  const path = 'spec.strategy.canary.trafficRouting.istio';
  const refs = isObj(istio.virtualService) ? [istio.virtualService] : arr(istio.virtualServices);
  if (istio.destinationRule !== undefined) {
    log.dropped(
      join(path, 'destinationRule'),
      'serin routes to the Services <name>-primary and <name>-canary, not to DestinationRule subsets; change the VirtualService destinations (below)',
    );
  }
  log.unhandled(istio, ['virtualService', 'virtualServices', 'destinationRule'], path);
  return refs.map((raw, index) => {
    const vs = obj(raw);
    const out: Record<string, unknown> = { name: str(vs.name) ?? '' };
    if (Array.isArray(vs.routes)) out.routes = vs.routes;
    if (Array.isArray(vs.tlsRoutes))
      out.tlsRoutes = vs.tlsRoutes.map((r) => ({ port: obj(r).port, sniHosts: obj(r).sniHosts }));
    if (Array.isArray(vs.tcpRoutes)) out.tcpRoutes = vs.tcpRoutes.map((r) => ({ port: obj(r).port }));
    log.kept(
      join(path, isObj(istio.virtualService) ? 'virtualService' : join('virtualServices', index)),
      `VirtualService ${String(out.name)} (routes, tlsRoutes, tcpRoutes)`,
    );
    return out;
  });
}

interface ServicePort {
  readonly port: number;
  readonly targetPort?: number | string;
}

function servicePort(source: Obj, canary: Obj, ctx: RolloutContext, log: ItemLog): ServicePort | undefined {
  const namespace = str(obj(source.metadata).namespace);
  for (const field of ['stableService', 'canaryService'] as const) {
    const name = str(canary[field]);
    const service = name === undefined ? undefined : ctx.service(namespace, name);
    const first = obj(arr(obj(service?.spec).ports)[0]);
    const port = int(first.port);
    if (port !== undefined) {
      log.kept(
        `spec.strategy.canary.${field}`,
        `service port ${port} from Service ${name ?? ''} in the input`,
      );
      const target = first.targetPort;
      return typeof target === 'number' || typeof target === 'string'
        ? { port, targetPort: target }
        : { port };
    }
  }
  const named = str(obj(source.metadata).name) ?? '';
  const own = obj(arr(obj(ctx.service(namespace, named)?.spec).ports)[0]);
  const ownPort = int(own.port);
  if (ownPort !== undefined) {
    log.kept('metadata.name', `service port ${ownPort} from Service ${named} in the input`);
    return typeof own.targetPort === 'number' || typeof own.targetPort === 'string'
      ? { port: ownPort, targetPort: own.targetPort }
      : { port: ownPort };
  }
  const container = obj(arr(obj(obj(obj(source.spec).template).spec).containers)[0]);
  const containerPort = int(obj(arr(container.ports)[0]).containerPort);
  if (containerPort === undefined) return undefined;
  log.changed(
    'spec.template',
    `service port ${containerPort}: the first containerPort (no Service of the Rollout in the input); check it`,
  );
  return { port: containerPort };
}

function renames(name: string, canary: Obj, log: ItemLog): void {
  for (const [field, serinName] of [
    ['stableService', `${name}-primary`],
    ['canaryService', `${name}-canary`],
  ] as const) {
    const argoName = str(canary[field]);
    if (argoName === undefined) continue;
    if (argoName === serinName)
      log.kept(`spec.strategy.canary.${field}`, `${argoName} is serin's name for it already`);
    else
      log.changed(
        `spec.strategy.canary.${field}`,
        `serin maintains the Service ${serinName}: rename the VirtualService destination host ${argoName} → ${serinName}`,
      );
  }
}

/** The Deployment a Rollout with an embedded pod template becomes. */
function deploymentFor(source: Obj, log: ItemLog): Record<string, unknown> {
  const spec = obj(source.spec);
  const metadata = obj(source.metadata);
  const out: Record<string, unknown> = {};
  for (const field of ['replicas', 'selector', 'template', 'minReadySeconds', 'revisionHistoryLimit']) {
    if (spec[field] !== undefined) out[field] = spec[field];
  }
  log.added(
    'spec.template',
    `Deployment ${str(metadata.name) ?? ''} with the Rollout's replicas, selector and pod template`,
  );
  const meta: Record<string, unknown> = { name: str(metadata.name) ?? '' };
  if (str(metadata.namespace) !== undefined) meta.namespace = metadata.namespace;
  if (isObj(metadata.labels)) meta.labels = metadata.labels;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: out };
}

function target(source: Obj, log: ItemLog): { name: string; deployment?: Record<string, unknown> } | string {
  const spec = obj(source.spec);
  const name = str(obj(source.metadata).name) ?? '';
  if (isObj(spec.workloadRef)) {
    const ref = spec.workloadRef;
    if (str(ref.kind) !== 'Deployment')
      return `workloadRef to a ${str(ref.kind) ?? 'missing kind'}: serin targets Deployments`;
    log.kept('spec.workloadRef', `targetRef Deployment ${str(ref.name) ?? ''}`);
    if (ref.scaleDown !== undefined)
      log.dropped(
        'spec.workloadRef.scaleDown',
        'serin runs the new version in the Deployment itself and creates <name>-primary; there is nothing to scale down',
      );
    return { name: str(ref.name) ?? '' };
  }
  if (!isObj(spec.template)) return 'neither workloadRef nor a pod template';
  return { name, deployment: deploymentFor(source, log) };
}

function steps(canary: Obj, log: ItemLog): Record<string, unknown>[] {
  return arr(canary.steps).flatMap((raw, index): Record<string, unknown>[] => {
    const step = convertStep(raw, index, log);
    return step === undefined ? [] : [step];
  });
}

function carried(spec: Obj, canary: Obj, log: ItemLog): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = [
    ['progressDeadlineSeconds', spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'],
    [
      'abortScaleDownDelaySeconds',
      canary.abortScaleDownDelaySeconds,
      'spec.strategy.canary.abortScaleDownDelaySeconds',
    ],
    ['scaleDownDelaySeconds', canary.scaleDownDelaySeconds, 'spec.strategy.canary.scaleDownDelaySeconds'],
  ] as const;
  for (const [field, value, path] of fields) {
    if (value === undefined) continue;
    out[field] = value;
    log.kept(path, JSON.stringify(value));
  }
  return out;
}

/** An Argo Rollout with `strategy.canary` and Istio routing as a serin Canary (and Deployment). */
export function convertArgoRollout(source: Obj, ctx: RolloutContext): Conversion {
  const log = new ItemLog();
  const spec = obj(source.spec);
  const canary = obj(obj(spec.strategy).canary);
  if (!isObj(obj(spec.strategy).canary))
    return { ok: false, reason: 'only strategy.canary converts (serin has no blue-green)', log };
  const istio = obj(obj(canary.trafficRouting).istio);
  if (!isObj(obj(canary.trafficRouting).istio))
    return {
      ok: false,
      reason: 'serin routes with Istio VirtualServices: trafficRouting.istio is required',
      log,
    };
  const metadata = carryMetadata(obj(source.metadata), log);
  const workload = target(source, log);
  if (typeof workload === 'string') return { ok: false, reason: workload, log };
  const port = servicePort(source, canary, ctx, log);
  if (port === undefined)
    return {
      ok: false,
      reason:
        'no service port: include the stableService (or a Service named like the Rollout) in the input, or a containerPort in the pod template',
      log,
    };
  const name = String(metadata.name);
  renames(name, canary, log);
  const converted = steps(canary, log);
  if (converted.length === 0)
    return { ok: false, reason: 'no step could be converted (serin needs at least one)', log };
  const out: Record<string, unknown> = {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: workload.name },
    service: { name, ...port },
    trafficRouting: { istio: { virtualServices: virtualServices(istio, log) } },
    steps: converted,
  };
  const background = isObj(canary.analysis)
    ? convertAnalysisRef(canary.analysis, 'spec.strategy.canary.analysis', log)
    : undefined;
  if (background !== undefined) {
    const startingStep = int(canary.analysis && obj(canary.analysis).startingStep);
    out.analysis = startingStep === undefined ? background : { ...background, startingStep };
  }
  Object.assign(out, carried(spec, canary, log));
  for (const [field, reason] of Object.entries(DROPPED_CANARY_FIELDS)) {
    if (canary[field] !== undefined) log.dropped(join('spec.strategy.canary', field), reason);
  }
  log.unhandled(
    canary,
    [
      'steps',
      'trafficRouting',
      'analysis',
      'canaryService',
      'stableService',
      'abortScaleDownDelaySeconds',
      'scaleDownDelaySeconds',
      ...Object.keys(DROPPED_CANARY_FIELDS),
    ],
    'spec.strategy.canary',
  );
  log.unhandled(
    obj(canary.trafficRouting),
    ['istio'],
    'spec.strategy.canary.trafficRouting',
    'serin routes with Istio only',
  );
  if (spec.paused !== undefined)
    log.dropped('spec.paused', 'pause a serin Canary with `serin pause` (or spec.suspend)');
  log.unhandled(
    spec,
    [
      'strategy',
      'workloadRef',
      'template',
      'replicas',
      'selector',
      'minReadySeconds',
      'revisionHistoryLimit',
      'progressDeadlineSeconds',
      'paused',
    ],
    'spec',
  );
  const result: Record<string, unknown>[] = [
    { apiVersion: API_VERSION, kind: 'Canary', metadata, spec: out },
  ];
  if (workload.deployment !== undefined) result.unshift(workload.deployment);
  return { ok: true, objects: result, log };
}
