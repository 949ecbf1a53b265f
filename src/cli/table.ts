/** A column of a kubectl-style table: an upper-case header and the cell of each row. */
export interface Column<R> {
  readonly header: string;
  readonly cell: (row: R) => string;
}

/** A table whose column widths are fixed once, so rows printed later (watch) line up with the first. */
export interface Table<R> {
  /** The header and the rows, each padded; no trailing spaces. */
  lines(rows: readonly R[]): string[];
  /** One more row, padded to the widths the first `lines` call chose. */
  line(row: R): string;
}

/** kubectl's layout: columns separated by three spaces, left-aligned, widths from the widest cell. */
export function table<R>(columns: readonly Column<R>[]): Table<R> {
  let widths = columns.map((c) => c.header.length);
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return {
    lines(rows) {
      const cells = rows.map((row) => columns.map((c) => c.cell(row)));
      widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]?.length ?? 0)));
      return [format(columns.map((c) => c.header)), ...cells.map(format)];
    },
    line(row) {
      return format(columns.map((c) => c.cell(row)));
    },
  };
}
