import { PRODUCT_ID_PATTERN } from '../../domain/product-id.js';
import { responses, type JsonObject, type OpenApiPart } from '../../lib/http/openapi.js';

// The contract of the movements read API, as upstream teams read it at /docs.

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

/** ajv's `uuid` format also takes `urn:uuid:…`, which Postgres rejects; `maxLength` keeps it out. */
const uuid = (description: string): JsonObject => ({
  type: 'string',
  format: 'uuid',
  maxLength: 36,
  description,
});
const dateTime = (description: string): JsonObject => ({
  type: 'string',
  format: 'date-time',
  description,
});
const nullable = (schema: JsonObject): JsonObject => ({
  ...schema,
  type: [schema.type, 'null'],
});
/** What the imported `warehouses` table says of a warehouse; `null` before an import names it. */
const warehouseCode: JsonObject = {
  type: ['string', 'null'],
  description:
    'The code the warehouses reference data gives the warehouse, `WH-xxxx`; `null` when no import has named it.',
};
const warehouseName: JsonObject = {
  type: ['string', 'null'],
  description: 'Its name in the warehouses reference data; `null` when no import has named it.',
};
const productId = (description: string): JsonObject => ({
  type: 'string',
  pattern: PRODUCT_ID_PATTERN,
  maxLength: 100,
  description: `${description} A UUID (seed 001), or the catalog's id such as \`13681706\` or \`item1\`.`,
});
const pathParam = (name: string, description: string): JsonObject => ({
  name,
  in: 'path',
  required: true,
  schema: name === 'product_id' ? productId(description) : uuid(description),
});

const conditional = {
  ETag: {
    description:
      'Weak validator of this answer, changed by any change of it (a warehouse renamed too); send it back in `If-None-Match`.',
    schema: { type: 'string' },
  },
  'Cache-Control': {
    description: '`no-cache`: keep the answer, but revalidate it before each use.',
    schema: { type: 'string' },
  },
};
const ifNoneMatch = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'ETags of answers the client holds (or `*`); a match gives 304 without a body.',
  schema: { type: 'string' },
};
const ok = (description: string, schema: string): JsonObject => ({
  description,
  headers: conditional,
  content: { 'application/json': { schema: ref(schema) } },
});
const notModified = {
  description: 'The answer the client holds (its ETag matched `If-None-Match`) is current.',
  headers: conditional,
};

const paths: JsonObject = {
  '/api/movements/{movement_id}': {
    get: {
      tags: ['movements'],
      operationId: 'getMovement',
      summary: 'One movement: sender, receiver, time in transit and quantity difference.',
      parameters: [pathParam('movement_id', 'The movement, shared by its two legs.'), ifNoneMatch],
      responses: {
        '200': ok('The movement as known now.', 'Movement'),
        '304': notModified,
        '400': responses.badRequest,
        '404': responses.notFound,
        '503': responses.unavailable,
      },
    },
  },
  '/api/warehouses/{warehouse_id}/products/{product_id}': {
    get: {
      tags: ['movements'],
      operationId: 'getStockLevel',
      summary: 'Current stock of one product at one warehouse, with its recent changes.',
      parameters: [
        pathParam('warehouse_id', 'The warehouse.'),
        pathParam('product_id', 'The product.'),
        {
          name: 'limit',
          in: 'query',
          required: false,
          description: 'How many changes one page holds.',
          schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
        },
        {
          name: 'cursor',
          in: 'query',
          required: false,
          description:
            "The previous page's `movements.next_cursor`; omit it for the newest changes.",
          schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' },
        },
        ifNoneMatch,
      ],
      responses: {
        '200': ok('The stock level and one page of its changes, newest first.', 'StockLevel'),
        '304': notModified,
        '400': responses.badRequest,
        '404': responses.notFound,
        '503': responses.unavailable,
      },
    },
  },
};

const schemas: JsonObject = {
  Movement: {
    type: 'object',
    description:
      'Goods moving from a sender warehouse to a receiver. The legs arrive as separate events, in either order; a missing leg is `null`.',
    additionalProperties: false,
    required: [
      'movement_id',
      'product_id',
      'status',
      'sender',
      'receiver',
      'transit_seconds',
      'transit_duration',
      'quantity_difference',
      'anomalies',
      'version',
      'updated_at',
    ],
    properties: {
      movement_id: uuid('The movement, shared by its departure and arrival events.'),
      product_id: productId("The product moved (the departure's, else the arrival's)."),
      status: {
        type: 'string',
        enum: ['in_transit', 'completed', 'arrived_first', 'pending_stock', 'rejected'],
        description:
          '`in_transit`: departed, not arrived; `completed`: both legs known; `arrived_first`: arrival known, departure not yet; `pending_stock`: departure held until the sender has the stock; `rejected`: the hold ended without stock.',
      },
      sender: {
        oneOf: [ref('MovementSender'), { type: 'null' }],
        description: 'The departure leg; `null` until it is known.',
      },
      receiver: {
        oneOf: [ref('MovementReceiver'), { type: 'null' }],
        description: 'The arrival leg; `null` until it is known.',
      },
      transit_seconds: {
        type: ['number', 'null'],
        description:
          "Seconds from departure to arrival by the legs' own timestamps (negative if the arrival is dated earlier); `null` until both legs are known.",
      },
      transit_duration: {
        type: ['string', 'null'],
        description: '`transit_seconds` as an ISO 8601 duration, e.g. `PT2H22M`.',
      },
      quantity_difference: {
        type: ['integer', 'null'],
        description:
          'Quantity arrived minus quantity departed (negative: goods lost on the way); `null` until both legs are known.',
      },
      anomalies: {
        type: 'array',
        items: ref('Anomaly'),
        description: 'Contradictions found in the legs, oldest first.',
      },
      version: {
        type: 'integer',
        minimum: 0,
        description: 'Grows with every change of the movement.',
      },
      updated_at: dateTime('When stockflow last changed the movement.'),
    },
  },
  MovementLeg: {
    type: 'object',
    description: 'What both legs of a movement carry.',
    required: ['warehouse_id', 'warehouse_code', 'warehouse_name', 'source', 'quantity'],
    properties: {
      warehouse_id: uuid('The warehouse the goods left or arrived at.'),
      warehouse_code: warehouseCode,
      warehouse_name: warehouseName,
      source: {
        type: 'string',
        description: 'Warehouse code of the event, `WH-xxxx`, as the event gave it.',
      },
      quantity: { type: 'integer', minimum: 1, description: 'Units the leg reports.' },
    },
  },
  MovementSender: {
    description: 'The departure leg.',
    allOf: [
      ref('MovementLeg'),
      {
        type: 'object',
        required: ['departed_at', 'state', 'pending_until', 'reject_reason'],
        properties: {
          departed_at: dateTime('When the goods left, per the event.'),
          state: {
            type: 'string',
            enum: ['applied', 'pending', 'rejected'],
            description:
              "`applied`: taken off the sender's stock; `pending`: held while the stock is short; `rejected`: the hold ended without stock.",
          },
          pending_until: nullable(
            dateTime(
              'When the hold ends (`pending`: rejected then if stock is still short) or ended (`rejected`); `null` for an applied departure.',
            ),
          ),
          reject_reason: {
            type: ['string', 'null'],
            description: 'Why the departure was rejected; `null` unless it was.',
          },
        },
      },
    ],
    unevaluatedProperties: false,
  },
  MovementReceiver: {
    description: 'The arrival leg.',
    allOf: [
      ref('MovementLeg'),
      {
        type: 'object',
        required: ['arrived_at'],
        properties: { arrived_at: dateTime('When the goods arrived, per the event.') },
      },
    ],
    unevaluatedProperties: false,
  },
  Anomaly: {
    type: 'object',
    description: 'A contradiction between the legs; the movement is kept, the anomaly recorded.',
    additionalProperties: false,
    required: ['code', 'detail', 'event_id'],
    properties: {
      code: {
        type: 'string',
        enum: [
          'conflicting_leg',
          'product_mismatch',
          'same_warehouse',
          'arrival_before_departure',
          'arrival_for_rejected_departure',
        ],
        description:
          '`conflicting_leg`: a second event for a known leg differs from it; `product_mismatch`: the legs name different products; `same_warehouse`: arrived where it departed; `arrival_before_departure`: the arrival is dated before the departure; `arrival_for_rejected_departure`: goods arrived for a departure that was rejected.',
      },
      detail: { type: 'string', description: 'What exactly differs, for people.' },
      event_id: { type: 'string', description: 'The event (CloudEvents `id`) that revealed it.' },
    },
  },
  StockLevel: {
    type: 'object',
    description: 'The exact stock of one product at one warehouse; never below zero.',
    additionalProperties: false,
    required: [
      'warehouse_id',
      'warehouse_code',
      'warehouse_name',
      'product_id',
      'quantity',
      'updated_at',
      'movements',
    ],
    properties: {
      warehouse_id: uuid('The warehouse.'),
      warehouse_code: warehouseCode,
      warehouse_name: warehouseName,
      product_id: productId('The product.'),
      quantity: { type: 'integer', minimum: 0, description: 'Units on hand now.' },
      updated_at: dateTime('When the quantity last changed.'),
      movements: {
        type: 'object',
        description: 'One page of the changes of this stock level, newest first.',
        additionalProperties: false,
        required: ['items', 'next_cursor'],
        properties: {
          items: { type: 'array', items: ref('StockLedgerEntry') },
          next_cursor: {
            type: ['string', 'null'],
            description: 'Pass as `cursor` for the next (older) page; `null` on the last page.',
          },
        },
      },
    },
  },
  StockLedgerEntry: {
    type: 'object',
    description: 'One change of a stock level, with the balance after it.',
    additionalProperties: false,
    required: [
      'id',
      'movement_id',
      'order_id',
      'reason',
      'delta',
      'balance',
      'occurred_at',
      'recorded_at',
    ],
    properties: {
      id: { type: 'string', description: 'Ledger entry id; orders the entries.' },
      movement_id: nullable(
        uuid(
          'The movement that caused the change (for an inventory, the count); `null` for an order.',
        ),
      ),
      order_id: {
        type: ['string', 'null'],
        description:
          'The order whose items the change reserved (reason `order`); `null` otherwise.',
      },
      reason: {
        type: 'string',
        enum: ['departure', 'arrival', 'inventory', 'order'],
        description:
          '`departure`: goods left; `arrival`: goods arrived; `inventory`: a stock count set the level; `order`: an order reserved them.',
      },
      delta: { type: 'integer', description: 'Change in units (negative for a departure).' },
      balance: { type: 'integer', minimum: 0, description: 'Units on hand after the change.' },
      occurred_at: dateTime('When it happened, per the event.'),
      recorded_at: dateTime('When stockflow applied it.'),
    },
  },
};

export const movementsOpenApi: OpenApiPart = {
  tags: [{ name: 'movements', description: 'Movements between warehouses and exact stock.' }],
  paths,
  schemas,
};
