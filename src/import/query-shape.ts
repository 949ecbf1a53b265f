import { parser } from '@prometheus-io/lezer-promql';

/**
 * How many series a PromQL query can return, read from Prometheus' own grammar: `scalar` (a
 * number), `single` (a vector of at most one series: an aggregation without grouping, or
 * arithmetic over such), or `many` (anything else, including what this cannot prove).
 * Placeholders must be replaced by stand-ins first. Conditions depend on it: Argo sees a number or
 * a list, serin a number for one series and a list for several.
 */
export type QueryShape = 'scalar' | 'single' | 'many';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

// Aggregations whose result, without grouping, is one series with no labels.
const ONE_SERIES_AGGREGATIONS = new Set([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
  'quantile',
]);
// Functions that map each input series to one output series.
const ELEMENTWISE = new Set([
  'abs',
  'ceil',
  'floor',
  'exp',
  'ln',
  'log2',
  'log10',
  'sqrt',
  'round',
  'sgn',
  'clamp',
  'clamp_min',
  'clamp_max',
  'deg',
  'rad',
]);
const SCALAR_FUNCTIONS = new Set(['scalar', 'time', 'pi']);

function children(node: SyntaxNode): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (let child = node.firstChild; child !== null; child = child.nextSibling) found.push(child);
  return found;
}

function text(query: string, node: SyntaxNode): string {
  return query.slice(node.from, node.to);
}

function combine(a: QueryShape, b: QueryShape): QueryShape {
  if (a === 'scalar') return b;
  if (b === 'scalar') return a;
  // Every 'single' shape here has no labels, so even `or` cannot give two series.
  return a === 'single' && b === 'single' ? 'single' : 'many';
}

const OPERAND_NODES = new Set([
  'BinaryExpr',
  'AggregateExpr',
  'FunctionCall',
  'ParenExpr',
  'UnaryExpr',
  'NumberDurationLiteral',
  'StringLiteral',
  'VectorSelector',
  'MatrixSelector',
  'SubqueryExpr',
  'OffsetExpr',
  'StepInvariantExpr',
]);

function shapeOf(node: SyntaxNode, query: string): QueryShape {
  switch (node.name) {
    case 'NumberDurationLiteral':
    case 'NumberLiteral':
      return 'scalar';
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'PromQL': {
      const inner = children(node).find((child) => OPERAND_NODES.has(child.name));
      return inner === undefined ? 'many' : shapeOf(inner, query);
    }
    case 'BinaryExpr': {
      const operands = children(node).filter((child) => OPERAND_NODES.has(child.name));
      const [left, right] = operands;
      if (operands.length !== 2 || left === undefined || right === undefined) return 'many';
      return combine(shapeOf(left, query), shapeOf(right, query));
    }
    case 'AggregateExpr':
      return aggregateShape(node, query);
    case 'FunctionCall':
      return functionShape(node, query);
    default:
      return 'many';
  }
}

function aggregateShape(node: SyntaxNode, query: string): QueryShape {
  const op = children(node).find((child) => child.name === 'AggregateOp');
  if (op === undefined || !ONE_SERIES_AGGREGATIONS.has(text(query, op))) return 'many';
  const modifier = children(node).find((child) => child.name === 'AggregateModifier');
  if (modifier === undefined) return 'single';
  const grouping = children(modifier);
  const by = grouping.some((child) => child.name === 'By');
  const labels = grouping.find((child) => child.name === 'GroupingLabels');
  return by && labels !== undefined && children(labels).length === 0 ? 'single' : 'many';
}

function groupedOnlyByLe(node: SyntaxNode, query: string): boolean {
  if (node.name === 'ParenExpr') {
    const inner = children(node).find((child) => OPERAND_NODES.has(child.name));
    return inner !== undefined && groupedOnlyByLe(inner, query);
  }
  if (node.name !== 'AggregateExpr') return false;
  const op = children(node).find((child) => child.name === 'AggregateOp');
  if (op === undefined || !ONE_SERIES_AGGREGATIONS.has(text(query, op))) return false;
  const modifier = children(node).find((child) => child.name === 'AggregateModifier');
  const labels = modifier && children(modifier).find((child) => child.name === 'GroupingLabels');
  const by = modifier !== undefined && children(modifier).some((child) => child.name === 'By');
  return (
    by &&
    labels !== undefined &&
    children(labels)
      .map((label) => text(query, label))
      .join(',') === 'le'
  );
}

function functionShape(node: SyntaxNode, query: string): QueryShape {
  const identifier = children(node).find((child) => child.name === 'FunctionIdentifier');
  const body = children(node).find((child) => child.name === 'FunctionCallBody');
  const name = identifier === undefined ? '' : text(query, identifier);
  const args = body === undefined ? [] : children(body).filter((child) => OPERAND_NODES.has(child.name));
  if (SCALAR_FUNCTIONS.has(name)) return 'scalar';
  if (name === 'vector') return 'single';
  if (name === 'histogram_quantile') {
    const buckets = args[1];
    return buckets !== undefined && groupedOnlyByLe(buckets, query) ? 'single' : 'many';
  }
  if (ELEMENTWISE.has(name)) {
    const vector = args[0];
    return vector === undefined ? 'many' : shapeOf(vector, query);
  }
  return 'many';
}

/** The shape of `query` (placeholders already replaced); `many` when it does not parse. */
export function queryShape(query: string): QueryShape {
  const tree = parser.parse(query);
  const state = { broken: false };
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) state.broken = true;
      return !state.broken;
    },
  });
  return state.broken ? 'many' : shapeOf(tree.topNode, query);
}
