/**
 * fast-check generators for the fuzz suite (issue 17): valid worlds (random weights, thresholds and
 * extra routes), near-valid worlds (one mutation: a wrong type, a missing required field, an
 * out-of-range weight, an unknown step kind, bad CEL, bad PromQL, duplicate route names, a
 * VirtualService without the named route, an Approval for an unknown Canary or a stale revision)
 * and invalid ones (several mutations, or garbage where a spec should be). Each mutation names the
 * field that the controller's condition and Event must name.
 */
import fc from 'fast-check';
import { validWorld, type Json, type JsonObject, type World } from './fuzz-world.ts';

/** What a mutation changes, and the field the controller must name. */
export interface Mutation {
  readonly name: string;
  readonly object: 'Canary' | 'AnalysisTemplate' | 'VirtualService' | 'Approval';
  /** A word the condition and the Event must contain (a field name, or the name that is wrong). */
  readonly field: string;
  readonly apply: (world: World) => void;
}

export interface FuzzInput {
  readonly klass: 'valid' | 'near-valid' | 'invalid';
  readonly mutations: readonly Mutation[];
  readonly world: World;
}

/** The revision placeholder in generated Approvals, replaced by the Canary's once it is Idle. */
export const CURRENT_REVISION = '<current revision>';

const obj = (value: Json | undefined): JsonObject => value as JsonObject;
const spec = (o: JsonObject | undefined): JsonObject => obj(o?.['spec']);
const canarySpec = (w: World) => spec(w.canary);
const steps = (w: World) => canarySpec(w)['steps'] as JsonObject[];
const metric = (w: World) => (spec(w.templates[0])['metrics'] as JsonObject[])[0] as JsonObject;
const prometheus = (w: World) => obj(obj(metric(w)['provider'])['prometheus']);
const http = (w: World) => spec(w.virtualService)['http'] as JsonObject[];
const routeOf = (w: World) => (http(w)[0] as JsonObject)['route'] as JsonObject[];
const vsRef = (w: World) =>
  (obj(obj(canarySpec(w)['trafficRouting'])['istio'])['virtualServices'] as JsonObject[])[0] as JsonObject;

function approval(fields: JsonObject): JsonObject {
  return {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'Approval',
    metadata: { generateName: 'podinfo-promote-' },
    spec: {
      canaryRef: { name: 'podinfo' },
      action: 'Promote',
      revision: CURRENT_REVISION,
      approver: 'oncall@example.com',
      ...fields,
    },
  };
}

const m = (
  object: Mutation['object'],
  name: string,
  field: string,
  apply: (world: World) => void,
): Mutation => ({ object, name, field, apply });

/** One mutation each; each makes the world invalid on its own. */
export const MUTATIONS: readonly Mutation[] = [
  // Canary: wrong types, missing required fields, out-of-range weights, unknown steps, dangling names.
  m('Canary', 'service.port is a string', 'service.port', (w) => {
    obj(canarySpec(w)['service'])['port'] = '9898';
  }),
  m('Canary', 'progressDeadlineSeconds is a string', 'progressDeadlineSeconds', (w) => {
    canarySpec(w)['progressDeadlineSeconds'] = '60';
  }),
  m('Canary', 'targetRef.name is a number', 'targetRef.name', (w) => {
    obj(canarySpec(w)['targetRef'])['name'] = 42;
  }),
  m('Canary', 'abortScaleDownDelaySeconds is negative', 'abortScaleDownDelaySeconds', (w) => {
    canarySpec(w)['abortScaleDownDelaySeconds'] = -5;
  }),
  m('Canary', 'service.name is not a DNS label', 'service.name', (w) => {
    obj(canarySpec(w)['service'])['name'] = 'Pod_Info!';
  }),
  ...['targetRef', 'service', 'trafficRouting', 'steps'].map((field) =>
    m('Canary', `${field} missing`, field, (w) => {
      const { [field]: _gone, ...rest } = canarySpec(w);
      w.canary['spec'] = rest;
    }),
  ),
  ...[-1, 101, 150, 1e9, 12.5].map((weight) =>
    m('Canary', `setWeight ${weight}`, 'steps[0]', (w) => {
      steps(w)[0] = { setWeight: weight };
    }),
  ),
  m('Canary', 'setWeight is a string', 'steps[0]', (w) => {
    steps(w)[0] = { setWeight: '20' };
  }),
  m('Canary', 'unknown step kind', 'steps[1]', (w) => {
    steps(w)[1] = { jump: { to: 3 } };
  }),
  m('Canary', 'two kinds in one step', 'steps[3]', (w) => {
    steps(w)[3] = { setWeight: 50, pause: {} };
  }),
  m('Canary', 'a step that is null', 'steps[4]', (w) => {
    (steps(w) as Json[])[4] = null;
  }),
  m('Canary', 'pause duration not a duration', 'steps[1]', (w) => {
    steps(w)[1] = { pause: { duration: 'five seconds' } };
  }),
  m('Canary', 'target Deployment missing', 'targetRef', (w) => {
    obj(canarySpec(w)['targetRef'])['name'] = 'ghost';
  }),
  m('Canary', 'VirtualService missing', 'virtualServices[0]', (w) => {
    vsRef(w)['name'] = 'ghost';
  }),
  m('Canary', 'route not in the VirtualService', 'nope', (w) => {
    vsRef(w)['routes'] = ['nope'];
  }),
  m('Canary', 'AnalysisTemplate missing', 'ghost', (w) => {
    const analysis = obj(steps(w)[2]?.['analysis']);
    analysis['templates'] = [{ templateName: 'ghost' }];
  }),
  m('Canary', 'spec is not an object', 'spec', (w) => {
    w.canary['spec'] = ['setWeight', 20];
  }),
  // AnalysisTemplate: bad CEL, bad PromQL, wrong types, unknown providers, duplicate names.
  m('AnalysisTemplate', 'successCondition does not parse', 'successCondition', (w) => {
    metric(w)['successCondition'] = 'result >>> 1';
  }),
  m('AnalysisTemplate', 'successCondition compares a number with a string', 'successCondition', (w) => {
    metric(w)['successCondition'] = 'result == "high"';
  }),
  m('AnalysisTemplate', 'failureCondition is cut short', 'failureCondition', (w) => {
    metric(w)['failureCondition'] = 'result.exists(x, x >';
  }),
  m('AnalysisTemplate', 'query does not parse', 'query', (w) => {
    prometheus(w)['query'] = 'sum(rate(requests_total[1m])';
  }),
  m('AnalysisTemplate', 'query has an unclosed selector', 'query', (w) => {
    prometheus(w)['query'] = 'requests_total{code="500"';
  }),
  m('AnalysisTemplate', 'query names an undeclared argument', 'args.nope', (w) => {
    prometheus(w)['query'] = 'requests_total{workload="{{args.nope}}"}';
  }),
  m('AnalysisTemplate', 'count is a string', 'count', (w) => {
    metric(w)['count'] = '3';
  }),
  m('AnalysisTemplate', 'interval is a number', 'interval', (w) => {
    metric(w)['interval'] = 10;
  }),
  m('AnalysisTemplate', 'failureLimit below -1', 'failureLimit', (w) => {
    metric(w)['failureLimit'] = -2;
  }),
  m('AnalysisTemplate', 'noData is not a phase', 'noData', (w) => {
    metric(w)['noData'] = 'Maybe';
  }),
  m('AnalysisTemplate', 'unknown provider', 'provider', (w) => {
    metric(w)['provider'] = { influxdb: { query: 'SELECT 1' } };
  }),
  m('AnalysisTemplate', 'provider missing', 'provider', (w) => {
    delete metric(w)['provider'];
  }),
  m('AnalysisTemplate', 'duplicate metric names', 'metrics[1]', (w) => {
    (spec(w.templates[0])['metrics'] as JsonObject[]).push(structuredClone(metric(w)));
  }),
  m('AnalysisTemplate', 'no metrics', 'metrics', (w) => {
    spec(w.templates[0])['metrics'] = [];
  }),
  // VirtualService: wrong types, no destinations, duplicate route names, a missing canary host.
  m('VirtualService', 'http is a string', 'http', (w) => {
    spec(w.virtualService)['http'] = 'primary';
  }),
  m('VirtualService', 'a weight is a string', 'weight', (w) => {
    (routeOf(w)[1] as JsonObject)['weight'] = 'abc';
  }),
  m('VirtualService', 'the route has no destinations', 'route', (w) => {
    (http(w)[0] as JsonObject)['route'] = [];
  }),
  m('VirtualService', 'no canary destination', 'podinfo-canary', (w) => {
    (http(w)[0] as JsonObject)['route'] = [
      { destination: { host: 'podinfo-primary', port: { number: 9898 } }, weight: 100 },
    ];
  }),
  m('VirtualService', 'duplicate route names', 'primary', (w) => {
    http(w).push(structuredClone(http(w)[0] as JsonObject));
  }),
  m('VirtualService', 'destination host is a number', 'host', (w) => {
    obj((routeOf(w)[1] as JsonObject)['destination'])['host'] = 42;
  }),
  // Approvals for the (valid) Canary: stale, unknown, malformed.
  m('Approval', 'stale revision', 'revision', (w) => {
    w.approvals.push(approval({ revision: '0123456789' }));
  }),
  m('Approval', 'unknown step', 'step', (w) => {
    w.approvals.push(approval({ step: 99 }));
  }),
  m('Approval', 'unknown Canary', 'canaryRef', (w) => {
    w.approvals.push(approval({ canaryRef: { name: 'ghost' } }));
  }),
  m('Approval', 'unknown action', 'action', (w) => {
    w.approvals.push(approval({ action: 'Destroy' }));
  }),
  m('Approval', 'step is a string', 'step', (w) => {
    w.approvals.push(approval({ step: '2' }));
  }),
  m('Approval', 'revision missing', 'revision', (w) => {
    const made = approval({});
    delete obj(made['spec'])['revision'];
    w.approvals.push(made);
  }),
];

/** A valid world with random weights, pauses, thresholds and an extra route serin does not manage. */
const validInput: fc.Arbitrary<FuzzInput> = fc
  .record({
    first: fc.integer({ min: 1, max: 100 }),
    second: fc.integer({ min: 0, max: 100 }),
    pause: fc.integer({ min: 1, max: 600 }),
    threshold: fc.double({ min: 0, max: 1, noNaN: true }),
    extraRoute: fc.boolean(),
    replicas: fc.integer({ min: 1, max: 5 }),
  })
  .map(({ first, second, pause, threshold, extraRoute, replicas }) => {
    const world = validWorld();
    steps(world)[0] = { setWeight: first };
    steps(world)[1] = { pause: { duration: `${pause}s` } };
    steps(world)[3] = { setWeight: second };
    metric(world)['successCondition'] = `result >= ${threshold.toFixed(4)}`;
    obj(world.deployment?.['spec'])['replicas'] = replicas;
    if (extraRoute)
      http(world).push({ name: 'legacy', route: [{ destination: { host: 'legacy' }, weight: 100 }] });
    return { klass: 'valid' as const, mutations: [], world };
  });

const mutation = fc.constantFrom(...MUTATIONS);

function mutated(klass: 'near-valid' | 'invalid', mutations: readonly Mutation[]): FuzzInput {
  const world = validWorld();
  const applied: Mutation[] = [];
  for (const each of mutations) {
    try {
      each.apply(world);
      applied.push(each);
    } catch {
      // An earlier mutation removed what this one changes (steps missing, then a step): skip it.
    }
  }
  return { klass, mutations: applied, world };
}

/** Garbage where a spec should be: the Canary's, the template's or the VirtualService's. */
const garbageSpec: fc.Arbitrary<FuzzInput> = fc
  .record({
    object: fc.constantFrom<'Canary' | 'AnalysisTemplate' | 'VirtualService'>(
      'Canary',
      'AnalysisTemplate',
      'VirtualService',
    ),
    spec: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.dictionary(
        fc.constantFrom('steps', 'metrics', 'http', 'targetRef', 'x'),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    ),
  })
  .map(({ object, spec: garbage }) => {
    const mutation = m(object, `${object} spec is garbage`, 'spec', (w) => {
      const target =
        object === 'Canary' ? w.canary : object === 'AnalysisTemplate' ? w.templates[0] : w.virtualService;
      if (target) target['spec'] = garbage as Json;
    });
    return mutated('invalid', [mutation]);
  });

/** Valid, near-valid (one mutation) and invalid (two or three, or garbage) inputs. */
export const fuzzInput: fc.Arbitrary<FuzzInput> = fc.oneof(
  { weight: 2, arbitrary: validInput },
  { weight: 5, arbitrary: mutation.map((one) => mutated('near-valid', [one])) },
  {
    weight: 2,
    arbitrary: fc
      .uniqueArray(mutation, { minLength: 2, maxLength: 3, selector: (x) => x.name })
      // Approvals are judged against a valid Canary; stacking them on a broken world tests nothing new.
      .filter((list) => list.every((x) => x.object !== 'Approval'))
      .map((list) => mutated('invalid', list)),
  },
  { weight: 1, arbitrary: garbageSpec },
);
