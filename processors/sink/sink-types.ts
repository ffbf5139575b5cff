import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Producer } from 'kafkajs';
import type { Counter } from 'prom-client';
import type { ClickHouseClient } from '../../lib/clickhouse/client.js';
import type { Logger } from '../../lib/logger.js';
import type { SinkTable } from './sink-tables.js';

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
