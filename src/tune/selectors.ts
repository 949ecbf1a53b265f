import { parser } from '@prometheus-io/lezer-promql';

/**
 * The series a query reads: its vector selectors (`name{matchers}`), without ranges or offsets,
 * read with Prometheus' own grammar. `serin tune` copies these series into a scratch Prometheus to
 * inject regressions, so the template's queries read the copy exactly as they read the original.
 */
export function vectorSelectorsOf(query: string): string[] {
  const tree = parser.parse(query);
  const found = new Set<string>();
  tree.iterate({
    enter: (node) => {
      if (node.name !== 'VectorSelector') return undefined;
      found.add(query.slice(node.from, node.to).replace(/\s+/g, ' ').trim());
      return false;
    },
  });
  return [...found];
}
