/** A sample read from a file, or why it could not be read. */
export type SampleRead = { ok: true; values: number[] } | { ok: false; message: string };

// Decimal numbers, plus the spellings Prometheus and Grafana export for non-finite values.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const SPECIAL: Record<string, number> = {
  nan: NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
};

/** Parses one value; undefined when it is not a number. */
export function parseValue(text: string): number | undefined {
  const trimmed = text.trim();
  if (NUMBER.test(trimmed)) return Number(trimmed);
  return SPECIAL[trimmed.toLowerCase()];
}

/** Splits one CSV line (RFC 4180 quoting, no embedded newlines). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

interface Line {
  readonly number: number;
  readonly text: string;
}

/** Non-blank lines that are not `#` comments, with their 1-based line numbers. */
function contentLines(text: string): Line[] {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ number: index + 1, text: line.trim() }))
    .filter((line) => line.text !== '' && !line.text.startsWith('#'));
}

function readPlain(file: string, lines: Line[]): SampleRead {
  const values: number[] = [];
  for (const line of lines) {
    const value = parseValue(line.text);
    if (value === undefined) {
      const hint = line.text.includes(',') ? ' (CSV input needs --column <name>)' : '';
      return { ok: false, message: `${file}:${line.number}: "${line.text}" is not a number${hint}` };
    }
    values.push(value);
  }
  return { ok: true, values };
}

function readCsv(file: string, lines: Line[], column: string): SampleRead {
  const [header, ...rows] = lines;
  if (!header) return { ok: true, values: [] };
  const names = splitCsvLine(header.text).map((name) => name.trim());
  const index = names.indexOf(column);
  if (index < 0) {
    return {
      ok: false,
      message: `${file}:${header.number}: no column "${column}" in the header (columns: ${names.join(', ')})`,
    };
  }
  const values: number[] = [];
  for (const row of rows) {
    const cell = (splitCsvLine(row.text)[index] ?? '').trim();
    // An empty cell is a missing point (Grafana leaves gaps empty): it counts as NaN.
    const value = cell === '' ? NaN : parseValue(cell);
    if (value === undefined) {
      return {
        ok: false,
        message: `${file}:${row.number}: column "${column}" holds "${cell}", not a number`,
      };
    }
    values.push(value);
  }
  return { ok: true, values };
}

/**
 * Reads a sample from text: one number per line, or, with `column`, CSV whose first line is a
 * header (a file whose first line is a number is read as plain numbers even then). Blank lines and lines starting with `#` are skipped; NaN, Inf and empty CSV cells are
 * kept as non-finite values for the judge to drop and count.
 */
export function parseSamples(
  text: string,
  file: string,
  column?: string,
  maxLines = Number.POSITIVE_INFINITY,
): SampleRead {
  const lines = contentLines(text);
  if (lines.length > maxLines) {
    return { ok: false, message: `${file}: more than ${maxLines} sample lines (the limit)` };
  }
  // A file of plain numbers stays readable when --column is given for the other one.
  const plain = column === undefined || parseValue(lines[0]?.text ?? '') !== undefined;
  return plain ? readPlain(file, lines) : readCsv(file, lines, column);
}
