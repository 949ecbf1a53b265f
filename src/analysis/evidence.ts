import { parser } from '@prometheus-io/lezer-promql';
import type { Metric } from '../api/index.ts';
import { durationToMs } from '../api/index.ts';

/**
 * The evidence rule: a measurement may pass only when its data could have shown the canary's errors.
 *
 * A Prometheus series is born at its first sample: Istio exports a canary's 5xx series only after
 * its first 500, and `rate()`/`increase()` ignore a series until it has two samples in the window
 * (and take its first scraped value as the baseline, so the errors before that scrape are lost).
 * Until the canary has had traffic for the whole window plus two scrapes, a query can read 100%
 * success from a canary that fails every fifth request (docs/analysis.md has the evidence). So
 * before `trafficSince + window + 2 × scrapeInterval`, a Successful or Inconclusive measurement is
 * deferred: not counted, measured again later. Failed and Error measurements count at once, so
 * this clause never slows a rollback.
 *
 * Second clause (issue 17): every revision of the canary is one series (the templates select the
 * target Deployment's workload), so until `previousTrafficUntil + window + 2 × scrapeInterval` a
 * query may read the traffic of the revision before: any measurement but an Error is deferred
 * (measure.ts). It slows a rollback only right after another revision's traffic, by at most that span.
 */

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** How far back a PromQL expression reads, in ms: its longest range plus offset, nested ones added. */
export function queryLookbackMs(query: string): number {
  // Every canary's rendered query differs only in its label values, and the lookback never depends
  // on a string: one parse serves every query of the same shape (parsing was 4% of the controller's
  // CPU at 10,000 Canaries, docs/performance.md).
  const shape = withoutStrings(query);
  const known = LOOKBACKS.get(shape);
  if (known !== undefined) return known;
  const read = lookbackOfShape(shape);
  if (LOOKBACKS.size >= LOOKBACKS_KEPT) LOOKBACKS.clear();
  LOOKBACKS.set(shape, read);
  return read;
}

const LOOKBACKS = new Map<string, number>();
/** Query shapes remembered: the templates in use, not the canaries (a bound, not a working set). */
const LOOKBACKS_KEPT = 1_000;

/** The query with every string literal emptied ("…", '…' and `…`, escapes included). */
export function withoutStrings(query: string): string {
  return query.replace(
    /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g,
    (literal) => `${literal[0]}${literal[0]}`,
  );
}

function lookbackOfShape(query: string): number {
  try {
    const tree = parser.parse(query);
    const read = lookback(tree.topNode, query);
    // Where the grammar gave up (it stops after a few hundred chained operators that Prometheus
    // accepts), the rest of the query is unread: take the textual bound as well.
    return parsedWhole(tree) ? read : Math.max(read, textualLookbackMs(query));
  } catch (err) {
    // A query nested too deeply for the grammar's recursive tree builder (or for this walk):
    // add up the longest range and the longest offset written anywhere in it, never less.
    if (!(err instanceof RangeError)) throw err;
    return textualLookbackMs(query);
  }
}

function parsedWhole(tree: ReturnType<typeof parser.parse>): boolean {
  let whole = true;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) whole = false;
      return whole;
    },
  });
  return whole;
}

/** The longest `[range]` plus the longest `offset` in the text: an upper bound of the lookback. */
function textualLookbackMs(query: string): number {
  const ranges = [...query.matchAll(/\[\s*([0-9a-z]+)\s*(?::[^\]]*)?\]/g)].map((m) => literalMs(m[1] ?? ''));
  const offsets = [...query.matchAll(/offset\s+([0-9a-z]+)/g)].map((m) => literalMs(m[1] ?? ''));
  return Math.max(0, ...ranges) + Math.max(0, ...offsets);
}

function lookback(node: SyntaxNode, text: string): number {
  let inner = 0;
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    inner = Math.max(inner, lookback(child, text));
  }
  switch (node.name) {
    case 'MatrixSelector':
    case 'SubqueryExpr':
      // The first duration is the range; a subquery's second is its resolution.
      return inner + durationOf(node.getChild('DurationExpr'), text);
    case 'OffsetExpr':
      return offsetLookback(node, text);
    default:
      return inner;
  }
}

/**
 * `offset` moves the selector just before it further back. lezer-promql's tree wraps the whole
 * `a - b offset 5m` in the OffsetExpr, while Prometheus applies it to `b` alone: follow the
 * right-hand operands down to the selector the offset belongs to.
 */
function offsetLookback(node: SyntaxNode, text: string): number {
  const offset = durationOf(node.getChild('OffsetDurationExpr'), text);
  const target = node.firstChild;
  if (target === null) return offset;
  return shifted(target, offset, text);
}

function shifted(node: SyntaxNode, offset: number, text: string): number {
  if (node.name !== 'BinaryExpr') return lookback(node, text) + offset;
  const operands: SyntaxNode[] = [];
  for (let child = node.firstChild; child !== null; child = child.nextSibling) operands.push(child);
  const last = operands.pop();
  const left = Math.max(0, ...operands.map((operand) => lookback(operand, text)));
  return last === undefined ? left : Math.max(left, shifted(last, offset, text));
}

const PROMQL_UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** A PromQL duration (`1h30m`, `10s`, or plain seconds); a negative offset reads no further back. */
function durationOf(node: SyntaxNode | null, text: string): number {
  if (node === null) return 0;
  return literalMs(text.slice(node.from, node.to).trim());
}

function literalMs(literal: string): number {
  if (/^\d+(\.\d+)?$/.test(literal)) return Number(literal) * 1_000;
  let total = 0;
  for (const match of literal.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    total += Number(match[1]) * (PROMQL_UNIT_MS[match[2] ?? 's'] ?? 0);
  }
  return literal.startsWith('-') ? 0 : total;
}

/** The rendered queries of one measurement and where they run. */
export interface EvidenceInput {
  readonly metric: Metric;
  /** The rendered queries the measurement ran (the main query and the traffic guard's). */
  readonly queries: readonly string[];
}

/**
 * How long the canary must have had traffic before a measurement of `metric` may pass: the longest
 * lookback of its queries plus two scrape intervals (one to see a new series, one more for rate()).
 * Undefined for metrics the rule does not cover (judge metrics, which need `minSamples` points).
 */
export function evidenceSpanMs(input: EvidenceInput): number | undefined {
  const provider = input.metric.provider;
  if (!('prometheus' in provider)) return undefined;
  const window = Math.max(0, ...input.queries.map(queryLookbackMs));
  return window + 2 * durationToMs(provider.prometheus.scrapeInterval);
}
