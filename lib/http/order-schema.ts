// The Order representation (lib/postgres/order-rows.ts OrderView) as an OpenAPI
// schema: the intake (ingest role) answers with it and GET /orders/{id} (api
// role) too, and either role may run alone, so both parts carry it.
import type { JsonObject } from './openapi.js';

const dateTime = { type: 'string', format: 'date-time' };
const failure: JsonObject = {
  type: ['object', 'null'],
  description:
    'Why the order failed: `code` (`unknown_product`, `price_mismatch`, `insufficient_stock`), a `message`, and the product, amounts or quantities concerned.',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', enum: ['unknown_product', 'price_mismatch', 'insufficient_stock'] },
    message: { type: 'string' },
    product_id: { type: 'string' },
    expected: { type: 'string', description: "The catalog's total, e.g. `99.99`." },
    got: { type: 'string', description: 'The total_amount the order gave.' },
    needed: { type: 'integer' },
    available: { type: 'integer' },
    warehouse_id: { type: ['string', 'null'], format: 'uuid' },
  },
};

export const ORDER_STATUS_SCHEMA: JsonObject = {
  type: 'string',
  enum: ['pending', 'processing', 'completed', 'failed'],
};

export const ORDER_SCHEMAS: JsonObject = {
  Order: {
    type: 'object',
    additionalProperties: false,
    required: [
      'order_id',
      'status',
      'created_at',
      'user_id',
      'total_amount',
      'completed_at',
      'updated_at',
      'warehouse_id',
      'failure',
      'items',
      'transitions',
    ],
    properties: {
      order_id: { type: 'string', example: 'ORD-1740795753808-3f9a1c2b7d10' },
      status: ORDER_STATUS_SCHEMA,
      created_at: { ...dateTime, description: 'When the order was accepted (durable).' },
      user_id: { type: 'string' },
      total_amount: { type: 'number', description: 'Exact: at most 2 decimal places.' },
      completed_at: {
        type: ['string', 'null'],
        format: 'date-time',
        description: 'When it reached `completed` or `failed`.',
      },
      updated_at: dateTime,
      warehouse_id: {
        type: ['string', 'null'],
        format: 'uuid',
        description: 'The warehouse the order asked for; `null`: wherever holds the most.',
      },
      failure,
      items: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['product_id', 'quantity', 'unit_price', 'warehouse_id'],
          properties: {
            product_id: { type: 'string' },
            quantity: { type: 'integer', minimum: 1 },
            unit_price: { type: ['number', 'null'], description: "The catalog's, once priced." },
            warehouse_id: {
              type: ['string', 'null'],
              format: 'uuid',
              description: 'Where its units were reserved.',
            },
          },
        },
      },
      transitions: {
        type: 'array',
        description: 'Every status the order took, oldest first.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['status', 'at', 'reason'],
          properties: { status: ORDER_STATUS_SCHEMA, at: dateTime, reason: failure },
        },
      },
    },
  },
};
