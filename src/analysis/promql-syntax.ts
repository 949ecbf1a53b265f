import { parser } from '@prometheus-io/lezer-promql';

/** Where a PromQL expression stops parsing, 1-based, within the query text. */
export interface PromqlSyntaxError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * Checks PromQL syntax with Prometheus' own grammar. Returns the first error, or undefined when the
 * query parses. Placeholders must already be substituted.
 */
export function checkPromqlSyntax(query: string): PromqlSyntaxError | undefined {
  if (query.trim() === '') return { offset: 0, line: 1, column: 1, message: 'empty query' };
  let errorAt: number | undefined;
  try {
    parser.parse(query).iterate({
      enter: (node) => {
        if (errorAt === undefined && node.type.isError) errorAt = node.from;
        return errorAt === undefined;
      },
    });
  } catch (err) {
    // The grammar's tree builder recurses: thousands of chained operators overflow the stack.
    if (!(err instanceof RangeError)) throw err;
    return {
      offset: 0,
      line: 1,
      column: 1,
      message: `the query is nested too deeply to parse (${query.length} characters); split it into recording rules`,
    };
  }
  if (errorAt === undefined) return undefined;
  const before = query.slice(0, errorAt);
  const line = before.split('\n').length;
  const column = errorAt - before.lastIndexOf('\n');
  const near = query.slice(errorAt, errorAt + 12);
  const message =
    near === '' ? 'unexpected end of query' : `unexpected input near ${JSON.stringify(near.split('\n')[0])}`;
  return { offset: errorAt, line, column, message };
}
