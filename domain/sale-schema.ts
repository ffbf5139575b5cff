// The Avro schema of a validated sale, as a constant so that `domain/` never
// reads files. schemas/sale.avsc is the same schema for upstream teams and the
// registry; a unit test keeps them equal.
import avro from 'avsc';
import { SALE_CATEGORIES } from './sale.js';

const identifier = (what: string): string =>
  `${what}: 1 to 64 characters of A-Z a-z 0-9 . _ : - (a JSON integer upstream is stored as its decimal string).`;

export const saleAvroSchema = {
  type: 'record',
  name: 'Sale',
  namespace: 'dev.stockflow.sales',
  doc: 'One sale line (seed 003): one product of one paid order. Registered with BACKWARD compatibility: later versions may only add fields that have a default (e.g. ["null", T] with default null) or CATEGORY symbols, never remove or retype fields.',
  fields: [
    { name: 'ID_ORDER', type: 'string', doc: identifier('The order (the Kafka key)') },
    { name: 'ID_PRODUCT', type: 'string', doc: identifier('The product sold') },
    { name: 'ID_BUYER', type: 'string', doc: identifier('The buyer') },
    { name: 'ID_SELLER', type: 'string', doc: identifier('The seller') },
    { name: 'ID_SELLER_COUNTRY', type: 'string', doc: identifier("The seller's country") },
    { name: 'ID_BUYER_COUNTRY', type: 'string', doc: identifier("The buyer's country") },
    {
      name: 'DATE_PAYMENT',
      type: 'long',
      doc: 'When the order was paid, in epoch milliseconds (UTC), years 2000 to 2099. A plain long, not timestamp-millis, so that it decodes to a number everywhere.',
    },
    {
      name: 'BRAND',
      type: 'string',
      doc: 'Brand as sent, at most 200 characters; empty when upstream sent none or null.',
    },
    {
      name: 'CATEGORY',
      doc: 'Product category, one of a fixed list.',
      type: {
        type: 'enum',
        name: 'SaleCategory',
        doc: 'The predefined sale categories; new ones are added at the end.',
        symbols: SALE_CATEGORIES,
      },
    },
    {
      name: 'REVENUE',
      type: 'string',
      doc: "Revenue of the line, exact: a canonical decimal with exactly two fractional digits, at least 0 and below 10^13, e.g. '57.27' or '3.00'. A string, never a float.",
    },
    {
      name: 'QUANTITY',
      type: 'int',
      doc: 'Units sold: 1 to 1000000 (1 when upstream sent none).',
    },
  ],
} as const;

// avsc's schema typings want mutable arrays, which `as const` rules out.
export const saleAvroType = avro.Type.forSchema(
  saleAvroSchema as unknown as Parameters<typeof avro.Type.forSchema>[0],
);
