import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { KafkaMessage, Message, Producer } from 'kafkajs';
import type { PartitionBatch } from '../../lib/batch-consumer.js';
import type { ClickHouseClient } from '../../lib/clickhouse.js';
import { ch, sql } from '../../lib/clickhouse-sql.js';
import { deadLetter } from '../../lib/dead-letter.js';
import type { Logger } from '../../lib/logger.js';
import { sendAll } from '../../lib/produce-chunked.js';
import { isTransientClickHouseError } from './clickhouse-errors.js';
import { retry } from '../../lib/retry.js';
import type { Row, SinkTable } from './sink-tables.js';
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
  readonly database: string;
  readonly registry: SchemaRegistry;
  readonly producer: Producer;
  readonly sources: ReadonlyMap<string, SinkSource>;
  readonly logger: Logger;
  readonly rows: Counter<'table' | 'outcome'>;
}

// 18.16 caps a query's text at 256 KiB; identity lookups go in slices well below it.
const LOOKUP_SLICE = 2_000;

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

async function alreadyStored(
  deps: SinkDeps,
  table: SinkTable,
  rows: readonly Row[],
): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < rows.length; i += LOOKUP_SLICE) {
    const q = table.seenQuery(deps.database, rows.slice(i, i + LOOKUP_SLICE));
    const result = await deps.clickhouse.query({ query: q.text, format: 'JSONEachRow' });
    for (const r of await result.json<Row>()) seen.add(table.identity(r));
  }
  return seen;
}

async function decode(deps: SinkDeps, source: SinkSource, message: KafkaMessage): Promise<unknown> {
  const value = message.value ?? Buffer.alloc(0);
  if (source.format === 'avro') return deps.registry.decode(value);
  return JSON.parse(value.toString('utf8')) as unknown;
}

/**
 * Writes one partition's batch into its raw ClickHouse table in a single
 * INSERT (which the views see as one block), minus everything already stored:
 * offsets at or below the partition's stored position, and rows whose identity
 * is already in the table.
 */
export function sinkBatchHandler(deps: SinkDeps) {
  return async (batch: PartitionBatch): Promise<void> => {
    const source = deps.sources.get(batch.topic);
    if (!source) throw new Error(`sink has no table for topic ${batch.topic}`);
    const { table } = source;
    const stored = await storedOffset(deps, batch.topic, batch.partition);
    const fresh = batch.messages.filter((m) => stored === undefined || BigInt(m.offset) > stored);
    const rows: Row[] = [];
    const dead: Message[] = [];
    const seenInBatch = new Set<string>();
    for (const message of fresh) {
      let row: Row | string;
      try {
        row = table.toRow(await decode(deps, source, message), message, {
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
      const id = table.identity(row);
      if (seenInBatch.has(id)) continue;
      seenInBatch.add(id);
      rows.push(row);
    }
    const stale = await alreadyStored(deps, table, rows);
    const insert = rows.filter((r) => !stale.has(table.identity(r)));
    if (dead.length > 0) await sendAll(deps.producer, [{ topic: source.dlq, messages: dead }]);
    if (insert.length > 0) {
      await retry(
        () =>
          deps.clickhouse.insert({
            table: `${deps.database}.${table.table}`,
            values: insert,
            format: 'JSONEachRow',
          }),
        { isTransient: isTransientClickHouseError, maxAttempts: 5, baseDelayMs: 200 },
      );
    }
    deps.rows.inc({ table: table.table, outcome: 'inserted' }, insert.length);
    deps.rows.inc(
      { table: table.table, outcome: 'duplicate' },
      batch.messages.length - dead.length - insert.length,
    );
    deps.rows.inc({ table: table.table, outcome: 'dead_letter' }, dead.length);
  };
}
