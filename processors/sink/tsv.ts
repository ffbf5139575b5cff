// TabSeparated, as the sink writes it for ClickHouse: escaping, DateTime values, and a growable
// byte buffer that rows are written straight into (joining 100k line strings costs several times
// more than writing each line once).

export type Value = string | number | undefined;

// A backslash, tab or line break inside a value would end the field or row.
const TSV_SPECIAL = /[\\\t\n\r\0]/;
const TSV_SPECIALS = /[\\\t\n\r\0]/g;
const TSV_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
};

/** A value as a TabSeparated field (numbers as JSON would print them). */
export const tsvValue = (v: Value): string =>
  typeof v === 'number'
    ? String(v)
    : v === undefined
      ? ''
      : TSV_SPECIAL.test(v)
        ? v.replace(TSV_SPECIALS, (c) => TSV_ESCAPES[c] ?? c)
        : v;

const UINT32 = 2 ** 32;
/**
 * Epoch seconds for a DateTime column, read by ClickHouse as JSONEachRow reads a number there (an
 * integer wrapped into UInt32). In text formats 18.16 takes a value for `YYYY-MM-DD hh:mm:ss`
 * unless its fifth character is a digit, so short values are zero-padded to five digits, and
 * negative ones, which the text format refuses, are wrapped here.
 */
export const tsvDateTime = (v: Value): string =>
  typeof v === 'number' && Number.isSafeInteger(v)
    ? String(v < 0 ? ((v % UINT32) + UINT32) % UINT32 : v).padStart(5, '0')
    : tsvValue(v);

/** A Date column's text for a day number (days since 1970-01-01, as `toInt32(day)` gives it). */
export const tsvDay = (day: number): string =>
  new Date(day * 86_400_000).toISOString().slice(0, 10);

// The byte each special is written as after its backslash (NUL as `\0`, so never 0); 0 where a
// byte needs no escape.
// UTF-8 never uses bytes below 0x80 inside a multi-byte character, so escaping by byte is exact.
const BYTE_ESCAPE = new Uint8Array(256);
BYTE_ESCAPE[0x5c] = 0x5c; // \\
BYTE_ESCAPE[0x09] = 0x74; // \t
BYTE_ESCAPE[0x0a] = 0x6e; // \n
BYTE_ESCAPE[0x0d] = 0x72; // \r
BYTE_ESCAPE[0x00] = 0x30; // \0

/** A TabSeparated body under construction; rows are appended and can be taken back. */
export class TsvBuffer {
  bytes: Buffer;
  /** Bytes written so far. */
  length = 0;

  constructor(capacity = 64 * 1024) {
    this.bytes = Buffer.allocUnsafe(Math.max(1024, capacity));
  }

  /** Room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + n));
    this.bytes.copy(bigger, 0, 0, this.length);
    this.bytes = bigger;
  }

  /** Text that is already TabSeparated (escaped fields, tabs, line ends). */
  text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(s.length * 3);
    if (s.length > 64) {
      this.length += this.bytes.write(s, this.length, 'utf8');
      return;
    }
    // Short ASCII byte by byte: cheaper than a call into the encoder.
    const out = this.bytes;
    let at = this.length;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.length += out.write(s, this.length, 'utf8');
        return;
      }
      out[at++] = c;
    }
    this.length = at;
  }

  byte(b: number): void {
    this.reserve(1);
    this.bytes[this.length++] = b;
  }

  /** Bytes already escaped (or known to need none). */
  raw(src: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    if (end - start > 64) {
      this.bytes.set(src.subarray(start, end), this.length);
      this.length += end - start;
      return;
    }
    // A short copy by hand: subarray allocates a view per call.
    const out = this.bytes;
    let at = this.length;
    for (let i = start; i < end; i++) out[at++] = src[i]!;
    this.length = at;
  }

  /**
   * ASCII bytes as one escaped field. False, with nothing written, if any byte is not ASCII: only
   * ASCII is the same whether it goes through a JS string or not (a string decoder replaces
   * invalid UTF-8).
   */
  asciiField(src: Uint8Array, start: number, end: number): boolean {
    this.reserve((end - start) * 2);
    const out = this.bytes;
    let at = this.length;
    for (let i = start; i < end; i++) {
      const b = src[i]!;
      if (b >= 0x80) return false;
      const e = BYTE_ESCAPE[b]!;
      if (e === 0) out[at++] = b;
      else {
        out[at++] = 0x5c;
        out[at++] = e;
      }
    }
    this.length = at;
    return true;
  }

  /** A non-negative safe integer in decimal, without a string. */
  uint(n: number): void {
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    this.reserve(digits);
    let at = this.length + digits;
    this.length = at;
    let x = n;
    do {
      this.bytes[--at] = 0x30 + (x % 10);
      x = Math.floor(x / 10);
    } while (x > 0);
  }

  /** Everything written, as one body (a view, not a copy). */
  body(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}

/** Rows as a TabSeparated body in `columns` order. */
export function tsvRows<R extends Readonly<Record<string, Value>>>(
  table: { readonly columns: readonly string[]; readonly dateTimeColumns: readonly string[] },
  rows: readonly R[],
): Buffer {
  const out = new TsvBuffer(rows.length * 192);
  const line = tsvLine(table);
  for (const row of rows) out.text(line(row));
  return out.body();
}

/** A function writing one row as a TabSeparated line, newline included. */
export function tsvLine(table: {
  readonly columns: readonly string[];
  readonly dateTimeColumns: readonly string[];
}): (row: Readonly<Record<string, Value>>) => string {
  const { columns } = table;
  const format = columns.map((c) => (table.dateTimeColumns.includes(c) ? tsvDateTime : tsvValue));
  return (row) => {
    let line = format[0]!(row[columns[0]!]);
    for (let c = 1; c < columns.length; c++) line += `\t${format[c]!(row[columns[c]!])}`;
    return `${line}\n`;
  };
}
