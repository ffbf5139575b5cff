import { error as openApiError } from 'express-openapi-validator';

// One answer, two representations: JSON (the default) or CSV when the client's Accept prefers
// `text/csv`. Content negotiation follows RFC 9110 12.5.1 (q-values, wildcards, the most specific
// range wins); a client accepting neither gets 406.

export type Format = 'json' | 'csv';

export type CsvCell = string | number | null;

/** Rows for CSV: a header row of `columns`, then one line per row. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly CsvCell[])[];
}

/** What an endpoint computes once (and the cache keeps): both representations' content. */
export interface Answer {
  readonly json: unknown;
  readonly table: Table;
}

const OFFERS: readonly { format: Format; type: string; subtype: string }[] = [
  { format: 'json', type: 'application', subtype: 'json' },
  { format: 'csv', type: 'text', subtype: 'csv' },
];

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

interface Range {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

function parseAccept(header: string): Range[] {
  const ranges: Range[] = [];
  for (const part of header.split(',')) {
    const [media = '', ...params] = part.split(';').map((s) => s.trim());
    const m = /^([a-z0-9!#$%&'*+.^_`|~-]+)\/([a-z0-9!#$%&'*+.^_`|~-]+)$/i.exec(media);
    if (!m) continue;
    let q = 1;
    for (const p of params) {
      const qm = /^q\s*=\s*([01](?:\.\d{0,3})?)$/i.exec(p);
      if (qm) q = Math.min(1, Number(qm[1]));
    }
    ranges.push({ type: (m[1] ?? '').toLowerCase(), subtype: (m[2] ?? '').toLowerCase(), q });
  }
  return ranges;
}

/** The q-value the most specific matching range gives an offer, 0 when none matches. */
function quality(ranges: readonly Range[], type: string, subtype: string): number {
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype
        ? 2
        : r.type === type && r.subtype === '*'
          ? 1
          : r.type === '*' && r.subtype === '*'
            ? 0
            : -1;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return best < 0 ? 0 : q;
}

/**
 * The representation for an `Accept` header: JSON when absent or empty, CSV when `text/csv` is
 * preferred; ties go to JSON. Throws a 406 error when neither is acceptable.
 */
export function negotiate(accept: string | undefined): Format {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = parseAccept(accept);
  let chosen: Format | undefined;
  let bestQ = 0;
  for (const offer of OFFERS) {
    const q = quality(ranges, offer.type, offer.subtype);
    if (q > bestQ) {
      bestQ = q;
      chosen = offer.format;
    }
  }
  if (chosen === undefined) {
    throw new openApiError.NotAcceptable({
      path: '/headers/accept',
      message: 'this answer is available as application/json or text/csv',
    });
  }
  return chosen;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
export function csvField(value: CsvCell): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The table as RFC 4180 CSV: header row first, CRLF after every line. */
export function toCsv(table: Table): string {
  const lines = [table.columns, ...table.rows].map((row) => row.map(csvField).join(','));
  return lines.map((line) => `${line}\r\n`).join('');
}
