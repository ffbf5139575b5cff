import { describe, expect, it } from 'vitest';
import {
  CsvRecordReader,
  MAX_RECORD_CHARS,
  type CsvRecord,
} from '../../ingest/imports/csv-records.js';
import { seededRandom } from '../../testkit/random.js';

function read(text: string, chunk = text.length || 1): CsvRecord[] {
  const r = new CsvRecordReader();
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...r.push(text.slice(i, i + chunk)));
  out.push(...r.end());
  return out;
}

describe('CSV records', () => {
  it('reads fields, quoted commas, doubled quotes and quoted line breaks, with each start line and raw text', () => {
    const text = 'a,b\r\n1,"x,y"\r\n\r\n"say ""hi""","two\nlines"\n3,\n';
    expect(read(text)).toEqual([
      { line: 1, raw: 'a,b', fields: ['a', 'b'] },
      { line: 2, raw: '1,"x,y"', fields: ['1', 'x,y'] },
      { line: 4, raw: '"say ""hi""","two\nlines"', fields: ['say "hi"', 'two\nlines'] },
      { line: 6, raw: '3,', fields: ['3', ''] },
    ]);
  });

  it('fails a malformed record alone and goes on with the next line', () => {
    const text = 'a,b\n7,"bad"q\n9,10\n1,x"y\n11,"ok"\n';
    expect(read(text)).toEqual([
      { line: 1, raw: 'a,b', fields: ['a', 'b'] },
      { line: 2, raw: '7,"bad"q', error: 'a character after a closing quote: "q"' },
      { line: 3, raw: '9,10', fields: ['9', '10'] },
      { line: 4, raw: '1,x"y', error: 'a double quote inside an unquoted field' },
      { line: 5, raw: '11,"ok"', fields: ['11', 'ok'] },
    ]);
  });

  it('an unclosed quote fails its line at the end of the file, and the lines after it still count', () => {
    expect(read('a\n"open\nb\n')).toEqual([
      { line: 1, raw: 'a', fields: ['a'] },
      { line: 2, raw: '"open', error: 'a quoted field is not closed' },
      { line: 3, raw: 'b', fields: ['b'] },
    ]);
  });

  it('a quote left open for longer than a record may be fails its line without holding the file', () => {
    const r = new CsvRecordReader();
    const out = [...r.push('x,"never closed\n'), ...r.push('y\n'.repeat(MAX_RECORD_CHARS))];
    expect(out[0]).toEqual({
      line: 1,
      raw: 'x,"never closed',
      error: 'a quoted field is not closed',
    });
    expect(out[1]).toEqual({ line: 2, raw: 'y', fields: ['y'] });
  });

  it('a last record without a line break, and a CRLF split between chunks', () => {
    expect(read('a,b\r\nc,"d"', 1)).toEqual([
      { line: 1, raw: 'a,b', fields: ['a', 'b'] },
      { line: 2, raw: 'c,"d"', fields: ['c', 'd'] },
    ]);
  });

  it('gives back what any RFC 4180 writer wrote, however the text is chunked (1,000 seeded tables)', () => {
    const rand = seededRandom(4180);
    const pieces = ['a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '1'];
    const field = () =>
      Array.from(
        { length: Math.floor(rand() * 6) },
        () => pieces[Math.floor(rand() * pieces.length)],
      ).join('');
    const quote = (f: string) =>
      /[",\r\n]/.test(f) || rand() < 0.2 ? `"${f.replaceAll('"', '""')}"` : f;
    for (let t = 0; t < 1000; t++) {
      const eol = rand() < 0.5 ? '\n' : '\r\n';
      const rows = Array.from({ length: 1 + Math.floor(rand() * 5) }, () =>
        Array.from({ length: 1 + Math.floor(rand() * 4) }, field),
      ).filter((row) => !(row.length === 1 && row[0] === '')); // a lone empty field is a blank line
      const raws = rows.map((row) => row.map(quote).join(','));
      const text = raws.join(eol) + (rand() < 0.5 ? eol : '');
      let line = 1;
      const expected = rows.map((fields, i) => {
        const record = { line, raw: raws[i], fields };
        line += 1 + (raws[i]!.match(/\n/g)?.length ?? 0);
        return record;
      });
      expect(read(text, 1 + Math.floor(rand() * 7))).toEqual(expected);
    }
  });
});
