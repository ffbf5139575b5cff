// Values in PostgreSQL's COPY text format: columns separated by tabs, rows by
// newlines, NULL as \N, and backslash, tab, newline and carriage return
// escaped. NUL cannot be stored in text at all: it is refused before here.

const SPECIAL = /[\\\t\n\r]/;

function escape(value: string): string {
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/** One row of COPY text, its newline included. */
export function copyTextRow(values: readonly (string | number | bigint | null)[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += '\t';
    out += v === null || v === undefined ? '\\N' : typeof v === 'string' ? escape(v) : String(v);
  }
  return out + '\n';
}
