import { Environment, type ASTNode } from '@marcbachmann/cel-js';

/**
 * A conservative stand-in for kube-apiserver's static cost check of `x-kubernetes-validations`
 * (k8s.io/apiextensions-apiserver validation.go + cel-go checker/cost.go), for the CEL subset our
 * CRDs use. Every figure is an upper bound of what cel-go estimates, so a CRD that passes here is
 * not rejected for cost by a real API server; anything we cannot bound throws instead.
 *
 * Two figures that are easy to get wrong (below cel-go's):
 * - a string's size is 4 × maxLength, not maxLength: kube counts maxLength in code points and
 *   sizes strings in bytes (apiserver/pkg/cel/common/schemas.go);
 * - a macro's per-element overhead depends on its expansion (parser/macro.go): `all` 3,
 *   `exists` 4, `exists_one` 2, `map` 12, `filter` 13, not one flat figure for all.
 */

/** kube-apiserver rejects a rule whose estimated cost × cardinality exceeds this. */
export const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;

/** kube-apiserver rejects a CRD version whose rules' cost × cardinality sum exceeds this. */
export const STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000;

/** The request size limit from which kube derives every unbounded size (celconfig). */
const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/** String comparison walks both strings; cel-go charges 0.1 per byte (StringTraversalCostFactor). */
const STRING_TRAVERSAL_COST = 0.1;

/** kube sizes a string of maxLength n as 4n bytes: one code point is up to 4 bytes of UTF-8. */
const BYTES_PER_CODE_POINT = 4;

/**
 * Cost spent outside the loop by any macro: at most map/filter's empty-list accumulator (10) plus
 * reading the result (1). Quantifiers spend 1-2 here in cel-go; one constant keeps it simple.
 */
const MACRO_FIXED_COST = 11;

/** Cost each element adds besides the body: the expansion's loop condition and step. */
const MACRO_STEP_COST = {
  all: 3, // @not_strictly_false(__result__) 2, __result__ && body 1
  exists: 4, // @not_strictly_false(!__result__) 3, __result__ || body 1
  exists_one: 2, // body ? __result__ + 1 : __result__ → 2
  map: 12, // __result__ + [body] → 1 + 1 + 10 (a filtering map adds its predicate as body)
  filter: 13, // body ? __result__ + [x] : __result__ → 1 + 1 + 10 + 1
} as const;
type Macro = keyof typeof MACRO_STEP_COST;

/** Functions whose cel-go cost is 1 + arguments whatever their input size. */
const CONSTANT_COST_FUNCTIONS = new Set(['size', 'int', 'uint', 'double']);

/** The part of an OpenAPI v3 schema that decides sizes, cardinality and rules. */
export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  maxItems?: number;
  maxLength?: number;
  maxProperties?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

/** A rule uses CEL this estimator cannot bound; extend the model rather than skip the rule. */
export class CelCostError extends Error {
  readonly code = 'CEL_COST_UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'CelCostError';
  }
}

/**
 * What the estimator knows about a value: enough to bound its size as cel-go does (string and
 * byte length in bytes, list and map length in elements; 1 for a scalar).
 */
type Value =
  | { kind: 'scalar' }
  | { kind: 'string'; size: number }
  | { kind: 'list'; size: number; items: Value }
  | { kind: 'map'; size: number; values: Value }
  | { kind: 'object'; node: SchemaNode };

interface Estimate {
  cost: number;
  value: Value;
}

interface Scope {
  readonly self: SchemaNode;
  readonly vars: ReadonlyMap<string, Value>;
}

const SCALAR: Value = { kind: 'scalar' };

/** The smallest JSON a value of this schema can serialize to: `{}`/`[]` 2, a scalar 1 (or more). */
function minSerializedSize(node: SchemaNode): number {
  return node.type === 'object' || node.type === 'array' ? 2 : 1;
}

/**
 * How many values of this schema fit in one request: what kube assumes for an unbounded list or
 * map's length, and for the cardinality of a rule under one. Ignoring the brackets (kube subtracts
 * 2 bytes) keeps it an upper bound.
 */
function unboundedCount(node: SchemaNode): number {
  return Math.floor(MAX_REQUEST_BYTES / (minSerializedSize(node) + 1));
}

function valueOf(node: SchemaNode): Value {
  if (node['x-kubernetes-int-or-string'] === true) return { kind: 'string', size: MAX_REQUEST_BYTES };
  switch (node.type) {
    case 'string':
      return {
        kind: 'string',
        size: node.maxLength === undefined ? MAX_REQUEST_BYTES : BYTES_PER_CODE_POINT * node.maxLength,
      };
    case 'integer':
    case 'number':
    case 'boolean':
      return SCALAR;
    case 'array': {
      if (node.items === undefined) throw new CelCostError('an array without items has no CEL type');
      return { kind: 'list', size: node.maxItems ?? unboundedCount(node.items), items: valueOf(node.items) };
    }
    case 'object': {
      const values = node.additionalProperties;
      if (typeof values !== 'object') return { kind: 'object', node };
      return { kind: 'map', size: node.maxProperties ?? unboundedCount(values), values: valueOf(values) };
    }
    case undefined:
    default:
      throw new CelCostError(`a schema of type ${String(node.type)} has no CEL type`);
  }
}

/** The size bound cel-go would use for a comparison operand; objects are not modelled. */
function sizeOf(value: Value, what: string): number {
  if (value.kind === 'object') throw new CelCostError(`cannot estimate ${what} between objects`);
  return value.kind === 'scalar' ? 1 : value.size;
}

function estimateSelect(operand: ASTNode, field: string, scope: Scope): Estimate {
  const target = estimate(operand, scope);
  const { value } = target;
  if (value.kind === 'map') return { cost: 1 + target.cost, value: value.values };
  if (value.kind !== 'object') throw new CelCostError(`cannot select .${field} from a ${value.kind}`);
  const property = value.node.properties?.[field];
  if (property === undefined) throw new CelCostError(`the schema has no property ${field}`);
  return { cost: 1 + target.cost, value: valueOf(property) };
}

function estimateIdent(name: string, scope: Scope): Estimate {
  const bound = scope.vars.get(name);
  if (bound !== undefined) return { cost: 1, value: bound };
  // oldSelf (transition rules) has the type of self.
  if (name === 'self' || name === 'oldSelf') return { cost: 1, value: valueOf(scope.self) };
  throw new CelCostError(`unknown identifier ${name}`);
}

function literalValue(literal: unknown): Value {
  // cel-go sizes a string literal by its code points (Go runes), which is what Array.from counts.
  if (typeof literal === 'string') return { kind: 'string', size: Array.from(literal).length };
  if (literal instanceof Uint8Array) return { kind: 'string', size: literal.length };
  return SCALAR;
}

/** The tightest single Value that covers both (for list literals and `?:` branches). */
function union(a: Value, b: Value): Value {
  if (a.kind === 'scalar' && b.kind === 'scalar') return SCALAR;
  if (a.kind === 'string' && b.kind === 'string') return { kind: 'string', size: Math.max(a.size, b.size) };
  if (a.kind === 'object' && b.kind === 'object' && a.node === b.node) return a;
  throw new CelCostError(`cannot estimate a value that is a ${a.kind} or a ${b.kind}`);
}

function estimateList(elements: readonly ASTNode[], scope: Scope): Estimate {
  const parts = elements.map((element) => estimate(element, scope));
  const cost = 10 + parts.reduce((sum, part) => sum + part.cost, 0);
  const values = parts.map((part) => part.value);
  const items = values.length === 0 ? SCALAR : values.reduce(union);
  return { cost, value: { kind: 'list', size: parts.length, items } };
}

function estimateCall(name: string, args: readonly ASTNode[], scope: Scope): Estimate {
  if (name === 'has') {
    const [arg] = args;
    if (args.length !== 1 || arg?.op !== '.') throw new CelCostError('has() takes one field selection');
    return { cost: 1 + estimate(arg, scope).cost, value: SCALAR };
  }
  if (name === 'dyn' && args.length === 1) {
    const inner = estimate(args[0]!, scope);
    return { cost: 1 + inner.cost, value: inner.value };
  }
  if (!CONSTANT_COST_FUNCTIONS.has(name)) throw new CelCostError(`unsupported function ${name}()`);
  const cost = args.reduce((sum, arg) => sum + estimate(arg, scope).cost, 1);
  return { cost, value: SCALAR };
}

function isMacro(name: string): name is Macro {
  return Object.hasOwn(MACRO_STEP_COST, name);
}

function macroResult(macro: Macro, range: Extract<Value, { kind: 'list' }>, body: Value): Value {
  if (macro === 'map') return { kind: 'list', size: range.size, items: body };
  if (macro === 'filter') return range;
  return SCALAR;
}

function estimateMacro(macro: Macro, target: ASTNode, args: readonly ASTNode[], scope: Scope): Estimate {
  const [iterVar, ...body] = args;
  const bodyArity = macro === 'map' ? [1, 2] : [1];
  if (iterVar?.op !== 'id' || !bodyArity.includes(body.length)) {
    throw new CelCostError(`unsupported form of ${macro}(): two-variable comprehensions are not modelled`);
  }
  const range = estimate(target, scope);
  if (range.value.kind !== 'list')
    throw new CelCostError(`${macro}() over a ${range.value.kind} is not modelled`);
  const inner: Scope = { self: scope.self, vars: new Map(scope.vars).set(iterVar.args, range.value.items) };
  const parts = body.map((expression) => estimate(expression, inner));
  const bodyCost = parts.reduce((sum, part) => sum + part.cost, 0);
  const perElement = bodyCost + MACRO_STEP_COST[macro];
  const value = macroResult(macro, range.value, parts.at(-1)!.value);
  return { cost: range.cost + MACRO_FIXED_COST + range.value.size * perElement, value };
}

function estimateReceiverCall(
  name: string,
  target: ASTNode,
  args: readonly ASTNode[],
  scope: Scope,
): Estimate {
  if (isMacro(name)) return estimateMacro(name, target, args, scope);
  if (name === 'size' && args.length === 0) return { cost: 1 + estimate(target, scope).cost, value: SCALAR };
  throw new CelCostError(`unsupported method .${name}()`);
}

/**
 * `==`, `!=`, `<`, `<=`, `>`, `>=`: cel-go charges 0.1 per byte of the smaller operand for strings,
 * bytes and lists, and a flat 1 for numbers. Using the smaller upper bound is still an upper bound.
 */
function estimateComparison(op: string, [left, right]: readonly [ASTNode, ASTNode], scope: Scope): Estimate {
  const a = estimate(left, scope);
  const b = estimate(right, scope);
  const operands = a.cost + b.cost;
  if (a.value.kind === 'scalar' && b.value.kind === 'scalar') return { cost: 1 + operands, value: SCALAR };
  const size = Math.min(sizeOf(a.value, op), sizeOf(b.value, op));
  return { cost: 1 + Math.ceil(STRING_TRAVERSAL_COST * size) + operands, value: SCALAR };
}

/** `x in list` walks the list (cel-go: one per element); `key in map` costs no more. */
function estimateIn([left, right]: readonly [ASTNode, ASTNode], scope: Scope): Estimate {
  const a = estimate(left, scope);
  const b = estimate(right, scope);
  if (b.value.kind !== 'list' && b.value.kind !== 'map') throw new CelCostError(`'in' a ${b.value.kind}`);
  return { cost: 1 + b.value.size + a.cost + b.cost, value: SCALAR };
}

/** Arithmetic on numbers is O(1); string and list concatenation is size-dependent and not modelled. */
function estimateArithmetic(op: string, operands: readonly ASTNode[], scope: Scope): Estimate {
  const parts = operands.map((operand) => estimate(operand, scope));
  const nonScalar = parts.find((part) => part.value.kind !== 'scalar');
  if (nonScalar !== undefined) throw new CelCostError(`'${op}' on a ${nonScalar.value.kind} is not modelled`);
  return { cost: parts.reduce((sum, part) => sum + part.cost, 1), value: SCALAR };
}

function estimateConditional(args: readonly [ASTNode, ASTNode, ASTNode], scope: Scope): Estimate {
  const [condition, ifTrue, ifFalse] = args.map((arg) => estimate(arg, scope)) as [
    Estimate,
    Estimate,
    Estimate,
  ];
  const cost = 1 + condition.cost + ifTrue.cost + ifFalse.cost;
  return { cost, value: union(ifTrue.value, ifFalse.value) };
}

function estimate(node: ASTNode, scope: Scope): Estimate {
  switch (node.op) {
    case 'value':
      return { cost: 1, value: literalValue(node.args) };
    case 'id':
      return estimateIdent(node.args, scope);
    case '.':
      return estimateSelect(node.args[0], node.args[1], scope);
    case 'list':
      return estimateList(node.args, scope);
    case 'call':
      return estimateCall(node.args[0], node.args[1], scope);
    case 'rcall':
      return estimateReceiverCall(node.args[0], node.args[1], node.args[2], scope);
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return estimateComparison(node.op, node.args, scope);
    case 'in':
      return estimateIn(node.args, scope);
    case '&&':
    case '||':
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return estimateArithmetic(node.op, node.args, scope);
    case '!_':
    case '-_':
      return estimateArithmetic(node.op, [node.args], scope);
    case '?:':
      return estimateConditional(node.args, scope);
    case '.?':
    case '[]':
    case '[?]':
    case 'map':
      throw new CelCostError(
        `unsupported CEL node '${node.op}' in ${node.input.slice(node.start, node.end)}`,
      );
  }
}

const cel = new Environment({ unlistedVariablesAreDyn: true });

/**
 * An upper bound of cel-go's estimated cost of one evaluation of `rule`, with `self` being a value
 * of the schema `self`. Throws a {@link CelCostError} on CEL it cannot bound.
 */
export function estimateRuleCost(rule: string, self: SchemaNode): number {
  return estimate(cel.parse(rule).ast, { self, vars: new Map() }).cost;
}

/** One `x-kubernetes-validations` rule's share of its CRD version's budget. */
export interface RuleCost {
  /** `<version>:<field path>`, `[]` for list items and `{}` for map values. */
  path: string;
  rule: string;
  /** Estimated cost of one evaluation. */
  cost: number;
  /** How many times the rule can run for one object. */
  cardinality: number;
  /** cost × cardinality: what the API server compares with {@link STATIC_ESTIMATED_COST_LIMIT}. */
  total: number;
}

/** The rules of a CRD and what the API server compares with the CRD limit. */
export interface CelCostReport {
  rules: RuleCost[];
  /** The largest per-version sum of rule totals (the CRD limit applies to each version alone). */
  total: number;
}

interface Walk {
  readonly version: string;
  /** Dotted field path from the root, '' at the root. */
  readonly path: string;
  /** Product of maxItems / maxProperties of the ancestors; undefined once one is unbounded. */
  readonly bound: number | undefined;
}

function rulesOf(node: SchemaNode, walk: Walk, found: RuleCost[]): void {
  const cardinality = walk.bound ?? unboundedCount(node);
  const path = `${walk.version}:${walk.path === '' ? '<root>' : walk.path}`;
  for (const { rule } of node['x-kubernetes-validations'] ?? []) {
    const cost = estimateRuleCost(rule, node);
    found.push({ path, rule, cost, cardinality, total: cost * cardinality });
  }
  const child = (suffix: string, limit: number | undefined): Walk => ({
    version: walk.version,
    path: walk.path + suffix,
    bound: walk.bound === undefined || limit === undefined ? undefined : walk.bound * limit,
  });
  for (const [name, property] of Object.entries(node.properties ?? {})) {
    // An object's fields occur once per object: they do not multiply the cardinality.
    rulesOf(property, child(walk.path === '' ? name : `.${name}`, 1), found);
  }
  if (node.items !== undefined) rulesOf(node.items, child('[]', node.maxItems), found);
  if (typeof node.additionalProperties === 'object') {
    rulesOf(node.additionalProperties, child('{}', node.maxProperties), found);
  }
}

interface CrdVersion {
  name: string;
  served: boolean;
  schema?: { openAPIV3Schema?: SchemaNode };
}

/** Every rule in every served version of `crd` (a parsed CustomResourceDefinition), costed. */
export function celCostReport(crd: unknown): CelCostReport {
  const versions = (crd as { spec: { versions: CrdVersion[] } }).spec.versions.filter((v) => v.served);
  const rules: RuleCost[] = [];
  let total = 0;
  for (const version of versions) {
    const root = version.schema?.openAPIV3Schema;
    if (root === undefined) continue;
    const found: RuleCost[] = [];
    rulesOf(root, { version: version.name, path: '', bound: 1 }, found);
    rules.push(...found);
    total = Math.max(
      total,
      found.reduce((sum, entry) => sum + entry.total, 0),
    );
  }
  return { rules, total };
}
