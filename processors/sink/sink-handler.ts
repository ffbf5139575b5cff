import { Readable } from 'node:stream';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { KafkaMessage, Message, Producer } from 'kafkajs';
import type { PartitionBatch } from '../../lib/kafka/batch-types.js';
import type { ClickHouseClient } from '../../lib/clickhouse/client.js';
import { selectWithExternalTable } from './external-table.js';
import { ch, sql } from '../../lib/clickhouse/sql.js';
import { deadLetter } from '../../lib/kafka/dead-letter.js';
import type { Logger } from '../../lib/logger.js';
import { sendAll } from '../../lib/kafka/produce-chunked.js';
import { isTransientClickHouseError } from './clickhouse-errors.js';
import { retry } from '../../lib/retry.js';
import { compileAvroTsv, type AvroTsv } from './avro-tsv.js';
import type { Row, SinkTable } from './sink-tables.js';
import { TsvBuffer, tsvLine, tsvValue } from './tsv.js';
import type { Counter } from 'prom-client';

export interface SinkSource {
  readonly table: SinkTable;
  /** Avro (Confluent wire format) or JSON. */
  readonly format: 'avro' | 'json';
  /** Where messages that cannot become rows go, with the reason. */
  readonly dlq: string;
}

export interface SinkDeps {
  readonly clickhouse: ClickHouseClient;
  /** For the identity lookups, which send the batch's identities as an external table. */
  readonly clickhouseUrl: string;
  readonly database: string;
  readonly registry: SchemaRegistry;
  readonly producer: Producer;
  readonly sources: ReadonlyMap<string, SinkSource>;
  readonly logger: Logger;
  readonly rows: Counter<'table' | 'outcome'>;
  /** Most rows per INSERT (`CLICKHOUSE_INSERT_ROWS`). */
  readonly chunkRows: number;
}

const CLICKHOUSE_RETRY = {
  isTransient: isTransientClickHouseError,
  maxAttempts: 5,
  baseDelayMs: 200,
} as const;

/** The highest offset of this partition already in ClickHouse, if any. */
async function storedOffset(
  deps: SinkDeps,
  topic: string,
  partition: number,
): Promise<bigint | undefined> {
  const q = sql`SELECT count() AS n, toString(maxMerge(max_offset)) AS o
    FROM ${ch.identifier(deps.database)}.sink_positions
    WHERE topic = ${ch.string(topic)} AND partition = ${ch.uint(partition)}`;
  const result = await deps.clickhouse.query({ query: q.text, format: 'JSONEachRow' });
  const [row] = await result.json<{ n: string; o: string }>();
  return row && Number(row.n) > 0 ? BigInt(row.o) : undefined;
}

/**
 * Records that ClickHouse acknowledged this partition's rows up to `offset`, every view written
 * (sql/clickhouse/0005): the API's data watermark reads it.
 */
async function recordCommit(
  deps: SinkDeps,
  topic: string,
  partition: number,
  offset: bigint,
): Promise<void> {
  const q = sql`INSERT INTO ${ch.identifier(deps.database)}.sink_commits
    SELECT ${ch.string(topic)}, ${ch.uint(partition)}, maxState(toUInt64(${ch.uint(offset)}))`;
  await retry(() => deps.clickhouse.command({ query: q.text }), CLICKHOUSE_RETRY);
}

/** Which of a chunk's identities are already stored; `seen` holds their seen columns, TSV. */
async function alreadyStored(
  deps: SinkDeps,
  table: SinkTable,
  seen: TsvBuffer,
): Promise<Set<string>> {
  if (seen.length === 0) return new Set();
  const stored = await selectWithExternalTable<Row>(
    deps.clickhouseUrl,
    table.seenQuery(deps.database),
    { name: 'batch', structure: table.seenStructure, data: seen.body() },
  );
  return new Set(stored.map((r) => table.identity(r)));
}

/** What decodes a schema id's messages: the registry client's own writer type for that id. */
interface Decoder {
  fromBuffer(payload: Buffer): unknown;
}

/**
 * Decodes messages without a promise per message: the first message of each schema id goes
 * through `registry.decode` (which fetches and caches the writer schema, and whose errors dead-letter
 * the message as before); later ones are decoded synchronously with that same writer type, exactly
 * as `registry.decode` would (Confluent wire format: magic byte 0, int32 id, Avro body). Once a
 * writer is known, a table with an Avro fast path gets that writer's transcoder (avro-tsv.ts).
 */
function decoder(deps: SinkDeps) {
  const writers = new Map<number, Decoder>();
  const transcoders = new Map<SinkTable, Map<number, AvroTsv | undefined>>();
  const fast = (source: SinkSource, value: Buffer): { value: unknown } | undefined => {
    if (source.format === 'json') return { value: JSON.parse(value.toString('utf8')) as unknown };
    if (value.length < 5 || value[0] !== 0) return undefined;
    const writer = writers.get(value.readInt32BE(1));
    return writer && { value: writer.fromBuffer(value.subarray(5)) };
  };
  const slow = async (value: Buffer): Promise<unknown> => {
    const decoded: unknown = await deps.registry.decode(value);
    const id = value.readInt32BE(1);
    writers.set(id, await deps.registry.getSchema(id)); // cached by decode: no request
    return decoded;
  };
  return {
    value(source: SinkSource, message: KafkaMessage): unknown {
      const value = message.value ?? Buffer.alloc(0);
      const hit = fast(source, value);
      return hit ? hit.value : slow(value);
    },
    /**
     * The fast path of a source's messages, looked up once per batch: for each message, its
     * writer schema's transcoder, if there is one yet.
     */
    transcoders(source: SinkSource): (message: KafkaMessage) => AvroTsv | undefined {
      const avro = source.table.avro;
      if (!avro || source.format !== 'avro') return () => undefined;
      let byId = transcoders.get(source.table);
      if (!byId) transcoders.set(source.table, (byId = new Map<number, AvroTsv | undefined>()));
      const compiled = byId;
      return (message) => {
        const v = message.value;
        if (!v || v.length < 5 || v[0] !== 0) return undefined;
        const id = v.readInt32BE(1);
        const known = compiled.get(id);
        if (known !== undefined || compiled.has(id)) return known;
        const writer = writers.get(id);
        if (!writer) return undefined; // its first message takes the generic path
        const made = compileAvroTsv(writer, avro.columns, avro.identity);
        compiled.set(id, made);
        return made;
      };
    },
  };
}

/** A chunk of a batch, encoded: its rows' TSV, their identities and where each row ends. */
interface Chunk {
  readonly out: TsvBuffer;
  /** The rows' seen columns, TSV, for the identity lookup. */
  readonly seen: TsvBuffer;
  readonly ids: readonly string[];
  readonly ends: readonly number[];
  /** Identities already stored when the chunk was encoded. */
  readonly stale: ReadonlySet<string>;
  readonly lastOffset: bigint;
}

/** The chunk's rows whose identity is not in `stale`, as one body. */
function unstored(chunk: Chunk, stale: ReadonlySet<string>): { body: Buffer; rows: number } {
  const { out, ids, ends } = chunk;
  if (stale.size === 0) return { body: out.body(), rows: ids.length };
  const kept = new TsvBuffer(out.length);
  let rows = 0;
  for (let i = 0, from = 0; i < ids.length; from = ends[i]!, i++) {
    if (stale.has(ids[i]!)) continue;
    kept.raw(out.bytes, from, ends[i]!);
    rows++;
  }
  return { body: kept.body(), rows };
}

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
