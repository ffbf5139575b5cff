import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { csvRow } from './csv-text.js';

// One CSV file being written: rows gather in a buffer of about 256 KiB that goes
// to the file honouring its backpressure, so a file of any size takes bounded
// memory. The rows go to NAME.partial, renamed to NAME once complete: an
// interrupted run leaves no truncated .csv for an import (or an inbox job) to take.

const FLUSH_CHARS = 256 * 1024;

export class CsvFileWriter {
  private buffer = '';
  private failure: Error | undefined;
  /** Data rows written (the header aside). */
  rows = 0;

  private constructor(
    readonly path: string,
    private readonly out: WriteStream,
  ) {
    // Kept, not thrown from an event handler: the next flush or close reports it.
    out.on('error', (err) => (this.failure ??= err));
  }

  static open(path: string, header: readonly string[]): CsvFileWriter {
    const writer = new CsvFileWriter(path, createWriteStream(`${path}.partial`));
    writer.buffer = csvRow(header);
    return writer;
  }

  /** Adds one record (its text from csvRow); true when the buffer is due for `flush()`. */
  add(record: string): boolean {
    this.buffer += record;
    this.rows++;
    return this.buffer.length >= FLUSH_CHARS;
  }

  /** Hands the buffer to the file; waits while the file is behind. */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    const text = this.buffer;
    this.buffer = '';
    if (text !== '' && !this.out.write(text)) await once(this.out, 'drain');
  }

  /** Writes what is left and gives the file its name. */
  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await finished(this.out);
    await rename(`${this.path}.partial`, this.path);
  }

  /** Stops writing and removes the partial file. */
  async discard(): Promise<void> {
    this.out.destroy();
    await rm(`${this.path}.partial`, { force: true });
  }
}
