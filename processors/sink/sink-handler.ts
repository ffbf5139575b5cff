import { Readable } from 'node:stream';
import type { KafkaMessage, Message } from 'kafkajs';
import type { PartitionBatch } from '../../lib/kafka/batch-types.js';
import { deadLetter } from '../../lib/kafka/dead-letter.js';
import { sendAll } from '../../lib/kafka/produce-chunked.js';
import { retry } from '../../lib/retry.js';
import { DependencyUnavailableError } from '../../lib/errors.js';
import { unstored, type Chunk } from './chunk.js';
import { decoder } from './decoder.js';
import { CLICKHOUSE_RETRY, alreadyStored, recordCommit, storedOffset } from './sink-positions.js';
import type { Row } from './sink-tables.js';
import type { SinkDeps } from './sink-types.js';
import { TsvBuffer, tsvLine, tsvValue } from './tsv.js';

/**
 * Writes one partition's batch into its raw ClickHouse table, minus everything
 * already stored: offsets at or below the partition's stored position, and
 * rows whose identity is already in the table. Large batches go in chunks,
 * each one INSERT (one block for the views), strictly one after the other:
 * the stored position is the highest offset inserted, so a later chunk must
 * never land before an earlier one. The next chunk is decoded while the
 * previous one is being inserted. Once ClickHouse acknowledges an insert, its
 * last offset goes to `sink_commits`, which the API's watermark reads.
 */
export function sinkBatchHandler(deps: SinkDeps): (batch: PartitionBatch) => Promise<void> {
  const stages = sinkBatchStages(deps);
  return async (batch) => (await stages(batch)).done;
}

/**
 * `sinkBatchHandler` in two stages, for a pipelined consumer (lib/kafka/batch-consumer.ts): it returns
 * once the batch's first insert is under way (its rows encoded), with `done` for the rest, so
 * that the next fetch is decoded while ClickHouse inserts, not while this batch is encoded.
 */
export function sinkBatchStages(
  deps: SinkDeps,
): (batch: PartitionBatch) => Promise<{ readonly done: Promise<void> }> {
  const handle = sinkBatch(deps);
  return (batch) =>
    new Promise((resolve) => {
      const done = handle(batch, () => queueMicrotask(() => resolve({ done })));
      done.then(
        () => resolve({ done }),
        () => resolve({ done }),
      );
    });
}

function sinkBatch(deps: SinkDeps) {
  const decode = decoder(deps);
  const { chunkRows } = deps;
  /** `started` is called once the first insert is sent (if any is). */
  return async (batch: PartitionBatch, started: () => void): Promise<void> => {
    const found = deps.sources.get(batch.topic);
    if (!found) throw new Error(`sink has no table for topic ${batch.topic}`);
    const source = found;
    const { table } = source;
    const stored = await storedOffset(deps, batch.topic, batch.partition);
    // A batch's offsets ascend: skip its stored prefix without a BigInt per message.
    let from = 0;
    if (stored !== undefined) {
      const last = batch.messages[batch.messages.length - 1];
      if (last && BigInt(last.offset) <= stored) from = batch.messages.length;
      else
        while (from < batch.messages.length && BigInt(batch.messages[from]!.offset) <= stored)
          from++;
    }
    const fresh = from === 0 ? batch.messages : batch.messages.slice(from);
    // A redelivery: the sink may have stopped after an insert and before recording its commit.
    if (from > 0 && stored !== undefined) {
      await recordCommit(deps, batch.topic, batch.partition, stored);
    }
    const dead: Message[] = [];
    const seenInBatch = new Set<string>();
    const transcoder = decode.transcoders(source);
    const line = tsvLine(table);
    const seenLine = tsvLine({ columns: table.seenColumns, dateTimeColumns: [] });
    let inserted = 0;

    /** A chunk of messages as TabSeparated rows, minus dead letters and duplicates. */
    async function toChunk(messages: readonly KafkaMessage[]): Promise<Chunk> {
      const out = new TsvBuffer(messages.length * 192);
      const seen = new TsvBuffer(messages.length * 48);
      const ids: string[] = [];
      const ends: number[] = [];
      for (const message of messages) {
        const start = out.length;
        let id = transcoder(message)?.write(out, message, batch);
        if (id === undefined) {
          let row: Row | string;
          try {
            let value = decode.value(source, message);
            if (value instanceof Promise) value = await value;
            row = table.toRow(value, message, {
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
            });
          } catch (err) {
            if (err instanceof DependencyUnavailableError) throw err; // not the message's fault
            row = `undecodable message: ${(err as Error).message}`;
          }
          if (typeof row === 'string') {
            dead.push(
              deadLetter({ topic: batch.topic, partition: batch.partition, message }, [
                { path: '', message: row },
              ]),
            );
            continue;
          }
          id = table.identity(row);
          if (seenInBatch.has(id)) continue;
          out.text(line(row));
          seen.text(seenLine(row));
        } else {
          if (seenInBatch.has(id)) {
            out.length = start;
            continue;
          }
          seen.text(tsvValue(id));
          seen.byte(0x0a);
        }
        seenInBatch.add(id);
        ids.push(id);
        ends.push(out.length);
      }
      const last = messages[messages.length - 1];
      return {
        out,
        seen,
        ids,
        ends,
        stale: await alreadyStored(deps, table, seen),
        lastOffset: last ? BigInt(last.offset) : -1n,
      };
    }

    const insert = async (chunk: Chunk): Promise<void> => {
      // Rows a failed try had applied count as inserted: this sink wrote them, once.
      const rows = chunk.ids.length - chunk.stale.size;
      if (rows === 0) return;
      await retry(async (attempt) => {
        // A failed try may have been applied all the same (the connection lost after ClickHouse
        // had the whole body): look again at what is stored before sending a row twice.
        const stale = attempt === 1 ? chunk.stale : await alreadyStored(deps, table, chunk.seen);
        const { body, rows: left } = unstored(chunk, stale);
        if (left === 0) return;
        // TabSeparated: about half the work of JSONEachRow, in Node and in ClickHouse.
        await deps.clickhouse.insert({
          table: `${deps.database}.${table.table}`,
          columns: [...table.columns],
          values: Readable.from([body], { objectMode: false }),
          format: 'TabSeparated',
        });
      }, CLICKHOUSE_RETRY);
      inserted += rows;
      await recordCommit(deps, batch.topic, batch.partition, chunk.lastOffset);
    };

    let previous: Promise<void> = Promise.resolve();
    try {
      // Equal chunks: a small remainder would pay an insert's fixed cost (every view writes a
      // part) for a few rows.
      const size = Math.ceil(fresh.length / Math.ceil(fresh.length / chunkRows));
      for (let i = 0; i < fresh.length; i += size) {
        const chunk = await toChunk(fresh.slice(i, i + size));
        await previous;
        previous = insert(chunk);
        if (i === 0) started();
        // Awaited before the next insert or in `finally`; until then a failure waits here.
        previous.catch(() => undefined);
      }
    } finally {
      // Never leave an insert running unobserved, whatever failed.
      await previous.catch(() => undefined);
    }
    await previous;
    if (dead.length > 0) await sendAll(deps.producer, [{ topic: source.dlq, messages: dead }]);
    deps.rows.inc({ table: table.table, outcome: 'inserted' }, inserted);
    deps.rows.inc(
      { table: table.table, outcome: 'duplicate' },
      batch.messages.length - dead.length - inserted,
    );
    deps.rows.inc({ table: table.table, outcome: 'dead_letter' }, dead.length);
  };
}
