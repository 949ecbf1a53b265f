/**
 * The built-in resource types the simulator pre-registers, with the light defaulting and
 * validation kube-apiserver applies to them that serin can observe.
 */
import type { StatusCause } from './status.ts';
import { isRecord, jsonEqual } from './types.ts';
import type { JsonObject, KubeObject, ResourceType } from './types.ts';

interface BuiltinDef {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  statusSubresource?: boolean;
  scaleSubresource?: boolean;
  generation?: boolean;
  unconditionalUpdate?: boolean;
  shortNames?: string[];
  selectableFields?: string[];
  nameRule?: 'dns1035Label' | 'dns1123Label';
  admit?: (obj: KubeObject, old: KubeObject | undefined) => StatusCause[];
}

function builtin(def: BuiltinDef): ResourceType {
  const type: ResourceType = {
    group: def.group,
    versions: [def.version],
    storageVersion: def.version,
    kind: def.kind,
    listKind: `${def.kind}List`,
    plural: def.plural,
    singular: def.kind.toLowerCase(),
    shortNames: def.shortNames ?? [],
    categories: [],
    namespaced: def.namespaced,
    custom: false,
    statusSubresource: def.statusSubresource ?? false,
    scaleSubresource: def.scaleSubresource ?? false,
    unconditionalUpdate: def.unconditionalUpdate ?? true,
    generation: def.generation ?? false,
    schemas: new Map(),
    selectableFields: def.selectableFields ?? [],
  };
  if (def.admit !== undefined) type.admitBuiltin = def.admit;
  if (def.nameRule !== undefined) type.nameRule = def.nameRule;
  return type;
}

function record(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key];
  if (isRecord(existing)) return existing;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

function setDefault(obj: JsonObject, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

function goMap(labels: unknown): string {
  const entries = isRecord(labels) ? Object.entries(labels).map(([k, v]) => `"${k}":"${String(v)}"`) : [];
  return `map[string]string{${entries.join(', ')}}`;
}

function selectorMatches(selector: JsonObject, labels: unknown): boolean {
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  const have = isRecord(labels) ? labels : {};
  return Object.entries(matchLabels).every(([k, v]) => have[k] === v);
}

function admitDeployment(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = record(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  const strategy = record(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = record(strategy, 'rollingUpdate');
    setDefault(ru, 'maxSurge', '25%');
    setDefault(ru, 'maxUnavailable', '25%');
  }
  const causes: StatusCause[] = [];
  const template = isRecord(spec.template) ? spec.template : undefined;
  const templateMeta = template !== undefined && isRecord(template.metadata) ? template.metadata : {};
  if (!isRecord(spec.selector)) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
  } else if (!selectorMatches(spec.selector, templateMeta.labels)) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${goMap(templateMeta.labels)}: \`selector\` does not match template \`labels\``,
      field: 'spec.template.metadata.labels',
    });
  }
  if (typeof spec.replicas !== 'number' || spec.replicas < 0) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`,
      field: 'spec.replicas',
    });
  }
  causes.push(...containerCauses(template));
  const oldSpec = old !== undefined && isRecord(old.spec) ? old.spec : undefined;
  if (oldSpec !== undefined && !jsonEqual(oldSpec.selector, spec.selector)) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: 'Invalid value: "object": field is immutable',
      field: 'spec.selector',
    });
  }
  return causes;
}

function containerCauses(template: JsonObject | undefined): StatusCause[] {
  const podSpec = template !== undefined && isRecord(template.spec) ? template.spec : {};
  const containers = Array.isArray(podSpec.containers) ? (podSpec.containers as unknown[]) : [];
  if (containers.length === 0) {
    return [
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers' },
    ];
  }
  const causes: StatusCause[] = [];
  containers.forEach((c, i) => {
    const container = isRecord(c) ? c : {};
    for (const key of ['name', 'image']) {
      if (typeof container[key] !== 'string' || container[key] === '') {
        causes.push({
          reason: 'FieldValueRequired',
          message: 'Required value',
          field: `spec.template.spec.containers[${i}].${key}`,
        });
      }
    }
  });
  return causes;
}

function intField(obj: JsonObject, key: string): number | undefined {
  const value = obj[key];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** autoscaling/v2 validation as kube-apiserver words it (pkg/apis/autoscaling/validation). */
function admitHorizontalPodAutoscaler(obj: KubeObject): StatusCause[] {
  const spec = record(obj, 'spec');
  setDefault(spec, 'minReplicas', 1);
  const causes: StatusCause[] = [];
  const target = isRecord(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
  for (const key of ['kind', 'name']) {
    if (typeof target[key] !== 'string' || target[key] === '') {
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: `spec.scaleTargetRef.${key}`,
      });
    }
  }
  const min = intField(spec, 'minReplicas') ?? 1;
  const max = intField(spec, 'maxReplicas');
  if (min < 1) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${min}: must be greater than or equal to 1`,
      field: 'spec.minReplicas',
    });
  }
  if (max === undefined || max < 1) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(spec.maxReplicas ?? 0)}: must be greater than or equal to 1`,
      field: 'spec.maxReplicas',
    });
  } else if (max < min) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${max}: must be greater than or equal to \`minReplicas\``,
      field: 'spec.maxReplicas',
    });
  }
  return causes;
}

let nextClusterIp = 1;

function allocateClusterIp(spec: JsonObject, oldSpec: JsonObject | undefined): void {
  // clusterIP is kept across updates that omit it, as the real registry does.
  if (oldSpec?.clusterIP !== undefined && (spec.clusterIP === undefined || spec.clusterIP === '')) {
    spec.clusterIP = oldSpec.clusterIP;
  }
  if (spec.clusterIP === undefined || spec.clusterIP === '') {
    spec.clusterIP = `10.96.${Math.floor(nextClusterIp / 250)}.${(nextClusterIp % 250) + 1}`;
    nextClusterIp += 1;
  }
  if (spec.clusterIP !== 'None') spec.clusterIPs = [spec.clusterIP];
}

function admitService(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = record(obj, 'spec');
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  const oldSpec = old !== undefined && isRecord(old.spec) ? old.spec : undefined;
  allocateClusterIp(spec, oldSpec);
  const ports = Array.isArray(spec.ports) ? (spec.ports as unknown[]) : [];
  for (const p of ports.filter(isRecord)) {
    setDefault(p, 'protocol', 'TCP');
    setDefault(p, 'targetPort', p.port);
  }
  const causes: StatusCause[] = [];
  if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.ports' });
  }
  if (oldSpec !== undefined && oldSpec.clusterIP !== spec.clusterIP) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(spec.clusterIP)}: field is immutable`,
      field: 'spec.clusterIP',
    });
  }
  return causes;
}

function admitSecret(obj: KubeObject): StatusCause[] {
  setDefault(obj, 'type', 'Opaque');
  // stringData is write-only: it is merged into data and never stored.
  if (isRecord(obj.stringData)) {
    const data = record(obj, 'data');
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  }
  delete obj.stringData;
  const causes: StatusCause[] = [];
  const data = isRecord(obj.data) ? obj.data : {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "string": illegal base64 data',
        field: `data[${k}]`,
      });
    }
  }
  return causes;
}

function admitNamespace(obj: KubeObject): StatusCause[] {
  const spec = record(obj, 'spec');
  setDefault(spec, 'finalizers', ['kubernetes']);
  const status = record(obj, 'status');
  setDefault(status, 'phase', 'Active');
  const labels = obj.metadata.labels ?? {};
  obj.metadata.labels = { ...labels, 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
  return [];
}

function admitEvent(obj: KubeObject): StatusCause[] {
  const involved = isRecord(obj.involvedObject) ? obj.involvedObject : undefined;
  if (involved === undefined) return [];
  const ns = involved.namespace;
  if (typeof ns === 'string' && ns !== '' && ns !== obj.metadata.namespace) {
    return [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(ns)}: does not match event.namespace`,
        field: 'involvedObject.namespace',
      },
    ];
  }
  return [];
}

const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

/** The pre-registered built-in types. */
export function builtinTypes(): ResourceType[] {
  return [
    builtin({
      group: '',
      version: 'v1',
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      statusSubresource: true,
      shortNames: ['ns'],
      nameRule: 'dns1123Label',
      admit: admitNamespace,
      selectableFields: ['status.phase'],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Service',
      plural: 'services',
      namespaced: true,
      statusSubresource: true,
      shortNames: ['svc'],
      nameRule: 'dns1035Label',
      admit: admitService,
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Secret',
      plural: 'secrets',
      namespaced: true,
      admit: admitSecret,
      selectableFields: ['type'],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      namespaced: true,
      shortNames: ['cm'],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      admit: admitEvent,
      selectableFields: EVENT_FIELDS,
    }),
    builtin({
      group: 'events.k8s.io',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
    }),
    builtin({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      plural: 'deployments',
      namespaced: true,
      statusSubresource: true,
      scaleSubresource: true,
      generation: true,
      shortNames: ['deploy'],
      admit: admitDeployment,
    }),
    builtin({
      group: 'autoscaling',
      version: 'v2',
      kind: 'HorizontalPodAutoscaler',
      plural: 'horizontalpodautoscalers',
      namespaced: true,
      // The HPA controller writes status.currentReplicas / desiredReplicas; tests play it.
      statusSubresource: true,
      generation: true,
      shortNames: ['hpa'],
      admit: admitHorizontalPodAutoscaler,
    }),
    builtin({
      group: 'coordination.k8s.io',
      version: 'v1',
      kind: 'Lease',
      plural: 'leases',
      namespaced: true,
      // leaseStrategy.AllowUnconditionalUpdate is false: every renew must carry the resourceVersion.
      unconditionalUpdate: false,
    }),
  ];
}
