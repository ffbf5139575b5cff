import { headerProblem, type ColumnIssue } from '../../domain/reference-rows.js';
import type { CsvRecord } from './csv-records.js';
import { ImportFileError } from './errors.js';

/** A data row of a file: its values by header column, or why it is no row at all. */
export type FileRow =
  | { readonly line: number; readonly raw: string; readonly row: Record<string, string> }
  | { readonly line: number; readonly raw: string; readonly reasons: readonly ColumnIssue[] };

/** Text Postgres can store: NUL cannot be, so a raw line shows it as U+FFFD. */
export const storableRaw = (raw: string) =>
  raw.includes('\0') ? raw.replaceAll('\0', '\uFFFD') : raw;

interface RowKind {
  readonly kind: string;
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

/**
 * The rows of a file of `kind`, what every kind shares: the header must be the kind's (or the
 * file imports nothing), a record that is no CSV or has another number of fields than the header
 * is a failed row, and `rowsRead` counts the data rows as they go. A batch at a time (see
 * fileRecordBatches); fileRows is the same one row at a time.
 */
export async function* fileRowBatches(
  batches: AsyncIterable<readonly CsvRecord[]>,
  kind: RowKind,
  seen: { rowsRead: number },
): AsyncGenerator<FileRow[]> {
  let header: string[] | undefined;
  for await (const records of batches) {
    const out: FileRow[] = [];
    for (const record of records) {
      if (!header) {
        if ('error' in record) throw new ImportFileError(`the header is not CSV: ${record.error}`);
        header = record.fields.map((f) => f.trim());
        const problem = headerProblem(header, kind);
        if (problem) throw new ImportFileError(`not a ${kind.kind} file: ${problem}`);
        continue;
      }
      seen.rowsRead++;
      const { line } = record;
      const raw = storableRaw(record.raw);
      if ('error' in record) {
        out.push({
          line,
          raw,
          reasons: [{ column: '', message: `not a CSV row: ${record.error}` }],
        });
      } else if (record.fields.length !== header.length) {
        const message = `has ${record.fields.length} fields; the header has ${header.length}`;
        out.push({ line, raw, reasons: [{ column: '', message }] });
      } else {
        const row: Record<string, string> = {};
        for (let i = 0; i < header.length; i++) row[header[i]!] = record.fields[i]!;
        out.push({ line, raw, row });
      }
    }
    if (out.length > 0) yield out;
  }
  if (!header) throw new ImportFileError(`not a ${kind.kind} file: it is empty (no header row)`);
}

export async function* fileRows(
  batches: AsyncIterable<readonly CsvRecord[]>,
  kind: RowKind,
  seen: { rowsRead: number },
): AsyncGenerator<FileRow> {
  for await (const rows of fileRowBatches(batches, kind, seen)) yield* rows;
}
