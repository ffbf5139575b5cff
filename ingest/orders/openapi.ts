import { ORDER_SCHEMAS } from '../../lib/http/order-schema.js';
import { responses, type JsonObject, type OpenApiPart } from '../../lib/http/openapi.js';

const id = (description: string): JsonObject => ({
  type: ['string', 'integer'],
  description,
});

const problem = (description: string): JsonObject => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const orderJson = (description: string, headers: JsonObject = {}): JsonObject => ({
  description,
  headers,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } },
});

const createOrder = (operationId: string): JsonObject => ({
  tags: ['orders'],
  operationId,
  summary:
    'Take an order: 202 once it is durable; the `orders` role prices it and reserves its items',
  parameters: [
    {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Any unique string of at most 255 characters. A retry with the same key and body gets the first answer again (same `order_id`, `Idempotent-Replayed: true`); another body with the key is refused (422), and so is a retry while the first request is still in flight (409). Keys are kept 24 hours (`ORDER_IDEMPOTENCY_HOURS`).',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    },
  ],
  requestBody: {
    required: true,
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/OrderRequest' },
        examples: {
          seed: {
            summary: "Seed 004's request: each item id is one unit",
            value: { user_id: 'user123', item_ids: ['item1', 'item2'], total_amount: 99.99 },
          },
          items: {
            summary: 'Items with quantities, from a chosen warehouse',
            value: {
              user_id: 'user123',
              items: [{ product_id: 'item1', quantity: 2 }],
              total_amount: 159.98,
              warehouse_id: '25718666-6af6-4281-b5a6-3016e36fa557',
            },
          },
        },
      },
    },
  },
  responses: {
    '202': orderJson('Accepted and durable: `GET` its `Location` to follow it.', {
      Location: { description: 'The order: `/orders/{order_id}`.', schema: { type: 'string' } },
    }),
    '400': responses.badRequest,
    '409': problem('A request with this Idempotency-Key is still in flight.'),
    '422': problem('This Idempotency-Key was used for a different request.'),
    '503': {
      ...problem(
        'Too many orders in flight, or Postgres is unavailable: retry after `Retry-After`.',
      ),
      headers: { 'Retry-After': { schema: { type: 'integer' } } },
    },
  },
});

export const ordersIntakeOpenApi: OpenApiPart = {
  tags: [{ name: 'orders', description: 'Orders (seed 004): taken, priced, reserved, followed.' }],
  paths: {
    '/orders': { post: createOrder('createOrder') },
    '/orders/': { post: createOrder('createOrderSlash') },
  },
  schemas: {
    ...ORDER_SCHEMAS,
    OrderRequest: {
      type: 'object',
      description:
        "Seed 004's `{user_id, item_ids, total_amount}` (each id one unit) or `{user_id, items: [{product_id, quantity}], total_amount, warehouse_id?}`: exactly one of `item_ids` and `items`. `total_amount` must equal the catalog's total exactly, or the order fails when processed.",
      additionalProperties: false,
      required: ['user_id', 'total_amount'],
      properties: {
        user_id: id('Who orders: a string of 1 to 100 characters or an integer.'),
        item_ids: {
          type: 'array',
          minItems: 1,
          maxItems: 1000,
          items: id('A product of the catalog; one unit of it.'),
        },
        items: {
          type: 'array',
          minItems: 1,
          maxItems: 1000,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['product_id', 'quantity'],
            properties: {
              product_id: id('A product of the catalog.'),
              quantity: { type: 'integer', minimum: 1, maximum: 1000000 },
            },
          },
        },
        total_amount: {
          type: ['number', 'string'],
          description: 'Money: at least 0, at most 2 decimal places, e.g. `99.99` or `"99.99"`.',
        },
        warehouse_id: {
          type: ['string', 'null'],
          format: 'uuid',
          maxLength: 36,
          description:
            'Serve it from this warehouse only; omitted: from the one holding the most of each product.',
        },
      },
    },
  },
};
