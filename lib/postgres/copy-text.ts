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

/** One value of COPY text. */
export function copyTextValue(v: string | number | bigint | null | undefined): string {
  return v === null || v === undefined ? '\\N' : typeof v === 'string' ? escape(v) : String(v);
}

/** Values of COPY text separated by tabs, without the row's newline (more columns may follow). */
export function copyTextFields(values: readonly (string | number | bigint | null)[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += '\t';
    out += copyTextValue(values[i]);
  }
  return out;
}

/** One row of COPY text, its newline included. */
export function copyTextRow(values: readonly (string | number | bigint | null)[]): string {
  return copyTextFields(values) + '\n';
}
