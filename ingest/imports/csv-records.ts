// CSV records (RFC 4180: comma, double quotes doubled inside quotes, quoted
// line breaks; CRLF or LF) with, for each, the line it starts on and its raw
// text exactly as in the file. Written here rather than taken from csv-parse
// because a failed row must keep its raw text and the rows after it must
// still import: csv-parse 7's `raw` is off by a character around CRLF, and
// after a stray quote its skip swallows the following lines into one error.
// Here a malformed record fails alone and reading resumes on its next line.

export type CsvRecord =
  | { readonly line: number; readonly raw: string; readonly fields: string[] }
  | { readonly line: number; readonly raw: string; readonly error: string };

/** Longest record (its raw text) before an open quote is judged unclosed. */
export const MAX_RECORD_CHARS = 64 * 1024;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

type Step =
  | { kind: 'record'; fields: string[]; end: number; next: number; lines: number }
  | { kind: 'broken'; error: string; end: number; next: number; lines: number }
  | { kind: 'more' };

/** The end of the physical line at `from` (its LF, or the text's end) and where the next begins. */
function lineEnd(text: string, from: number): { end: number; next: number } {
  const lf = text.indexOf('\n', from);
  if (lf < 0) return { end: text.length, next: text.length };
  return { end: lf > from && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf, next: lf + 1 };
}

/** A record that is no CSV: it fails alone, its physical line from `start`. */
function broken(text: string, start: number, error: string): Step {
  const { end, next } = lineEnd(text, start);
  return { kind: 'broken', error, end, next, lines: 1 };
}

/** Reads one record starting at `start`; `eof` says no more text will come. */
function step(text: string, start: number, eof: boolean): Step {
  // No closure here: under tsx each one created costs a keepNames __name() call, per record.
  const fields: string[] = [];
  let i = start;
  let lines = 1;
  for (;;) {
    // One field.
    if (i < text.length && text.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0 || q + 1 >= text.length) {
          if (q >= 0 && eof) {
            value += text.slice(from, q);
            i = q + 1;
            break;
          }
          if (text.length - start > MAX_RECORD_CHARS || eof) {
            return broken(text, start, 'a quoted field is not closed');
          }
          return { kind: 'more' };
        }
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      for (let k = 0; k < value.length; k++) if (value.charCodeAt(k) === LF) lines++;
      fields.push(value);
      if (i < text.length) {
        const c = text.charCodeAt(i);
        const ends = c === COMMA || c === LF || (c === CR && text.charCodeAt(i + 1) === LF);
        if (!ends) {
          if (c !== CR || i + 1 < text.length) {
            return broken(
              text,
              start,
              `a character after a closing quote: ${JSON.stringify(text[i])}`,
            );
          }
          if (!eof) return { kind: 'more' }; // a CR whose LF may be in the next chunk
        }
      }
    } else {
      let j = i;
      for (; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF) break;
        if (c === CR && (j + 1 >= text.length || text.charCodeAt(j + 1) === LF)) break;
        if (c === QUOTE) return broken(text, start, 'a double quote inside an unquoted field');
      }
      if (j >= text.length && !eof) return { kind: 'more' };
      if (j < text.length && text.charCodeAt(j) === CR && j + 1 >= text.length && !eof) {
        return { kind: 'more' };
      }
      fields.push(text.slice(i, j));
      i = j;
    }
    // After the field: a comma, the record's end, or the text's end.
    if (i >= text.length) {
      if (!eof) return { kind: 'more' };
      return { kind: 'record', fields, end: i, next: i, lines };
    }
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      i++;
      continue;
    }
    const end = i;
    const next = c === CR ? (i + 1 < text.length ? i + 2 : i + 1) : i + 1;
    return { kind: 'record', fields, end, next, lines };
  }
}

/**
 * Splits text pushed in chunks into records. Blank lines are skipped (their line numbers still
 * count). Memory holds at most the record being read (up to MAX_RECORD_CHARS and one chunk).
 */
export class CsvRecordReader {
  private pending = '';
  private line = 1;

  push(chunk: string): CsvRecord[] {
    this.pending += chunk;
    return this.drain(false);
  }

  end(): CsvRecord[] {
    return this.drain(true);
  }

  private drain(eof: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    const text = this.pending;
    let pos = 0;
    while (pos < text.length) {
      // A blank line is no record.
      const c = text.charCodeAt(pos);
      if (c === LF || (c === CR && text.charCodeAt(pos + 1) === LF)) {
        pos += c === LF ? 1 : 2;
        this.line++;
        continue;
      }
      if (c === CR && pos + 1 >= text.length && !eof) break;
      const s = step(text, pos, eof);
      if (s.kind === 'more') break;
      const raw = text.slice(pos, s.end);
      out.push(
        s.kind === 'record'
          ? { line: this.line, raw, fields: s.fields }
          : { line: this.line, raw, error: s.error },
      );
      this.line += s.lines;
      pos = s.next;
    }
    this.pending = text.slice(pos);
    return out;
  }
}
