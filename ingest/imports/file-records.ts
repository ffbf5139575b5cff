import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CsvRecordReader, type CsvRecord } from './csv-records.js';
import { ImportFileError } from './errors.js';

const CHUNK = 1 << 20;

/** The file's content hash (what makes a re-import of the same file a no-op) and size. */
export async function fileIdentity(path: string): Promise<{ sha256: string; bytes: number }> {
  const { size } = await stat(path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    hash.update(chunk as Buffer);
  }
  return { sha256: hash.digest('hex'), bytes: size };
}

/**
 * The file's CSV records, streamed a batch at a time (the records of one chunk of the file):
 * one await per megabyte rather than per record, which cost several µs a row. UTF-8 (a leading BOM is dropped), read a megabyte at a time.
 * `onBytes` hears how far the file has been read. Bytes that are not UTF-8 end the file's import.
 */
export async function* fileRecordBatches(
  path: string,
  onBytes: (bytesRead: number) => void = () => undefined,
): AsyncGenerator<CsvRecord[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const reader = new CsvRecordReader();
  let offset = 0;
  const decode = (chunk?: Buffer) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch (err) {
      throw new ImportFileError(
        `the file is not UTF-8 text (a byte that is not UTF-8 in bytes ${offset}–${offset + (chunk?.length ?? 0)})`,
        { cause: err },
      );
    }
  };
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    const text = decode(chunk as Buffer);
    offset += (chunk as Buffer).length;
    onBytes(offset);
    yield reader.push(text);
  }
  const rest = decode();
  if (rest) yield reader.push(rest);
  yield reader.end();
}
