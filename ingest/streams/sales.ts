import type { Sale } from '../../domain/sale.js';
import { saleAvroSchema, saleAvroType } from '../../domain/sale-schema.js';
import { parseSale, validateSale } from '../../domain/validate-sale.js';
import { parsed, streamTopics, type StreamDescriptor } from '../stream.js';
import { salesOpenApi } from './sales-openapi.js';

/** Sale lines (seed 003): JSON on `KAFKA_SALES_TOPIC` or POST /ingest. */
export const salesStream: StreamDescriptor<Sale> = {
  name: 'sales',
  plural: 'sales',
  consumer: 'ingest-sales',
  topics: (config) => streamTopics(config.kafkaSalesTopic),
  avroSchema: saleAvroSchema,
  avroType: saleAvroType,
  parse: (bytes) => parsed(parseSale(bytes), (r) => r.sale),
  validate: (item) => parsed(validateSale(item), (r) => r.sale),
  // An order's lines share a partition.
  key: (sale) => sale.ID_ORDER,
  http: { path: '/ingest', openapi: salesOpenApi },
};
