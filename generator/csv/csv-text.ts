// CSV text as the import job reads it (ingest/imports/csv-records.ts, RFC 4180):
// a field holding a comma, a double quote or a line break is quoted, its quotes
// doubled; every other field is written as it is. Hand-written: it is these
// few lines, and the generator's hottest path when it writes millions of rows.

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, its LF included. */
export function csvRow(values: readonly (string | number | null)[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += csvField(values[i] ?? null);
  }
  return `${out}\n`;
}
