import { ORDER_SCHEMAS } from '../../lib/http/order-schema.js';
import { responses, type OpenApiPart } from '../../lib/http/openapi.js';

const json = (description: string, schema: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});

const seconds = (description: string) => ({ type: ['number', 'null'], description });

function statusOperation(operationId: string) {
  return {
    tags: ['orders'],
    operationId,
    summary:
      "The order queue: accepted orders not finished yet, the oldest of them, the workers' lag",
    responses: {
      '200': json('Computed at most once a second per process.', 'OrderQueueStatus'),
      '503': responses.unavailable,
    },
  };
}

const count = { type: 'number', minimum: 0 };

export const ordersReadOpenApi: OpenApiPart = {
  tags: [{ name: 'orders', description: 'Orders (seed 004): taken, priced, reserved, followed.' }],
  paths: {
    '/orders/metrics': {
      get: {
        tags: ['orders'],
        operationId: 'getOrderMetrics',
        summary:
          "Seed 004's order metrics, exact: counts by status, processing times, the last minute's rate",
        responses: {
          '200': json('Computed at most once a second per process.', 'OrderMetrics'),
          '503': responses.unavailable,
        },
      },
    },
    '/orders/status': { get: statusOperation('getOrderQueueStatus') },
    '/orders/status/': { get: statusOperation('getOrderQueueStatusSlash') },
    '/orders/{order_id}': {
      get: {
        tags: ['orders'],
        operationId: 'getOrder',
        summary:
          'An order: its status, items (with the prices and warehouses they were served at) and history',
        parameters: [
          {
            name: 'order_id',
            in: 'path',
            required: true,
            // The characters stockflow's ids are made of: a NUL byte, say, never reaches Postgres.
            schema: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:-]+$' },
            example: 'ORD-1740795753808-3f9a1c2b7d10',
          },
        ],
        responses: {
          '200': {
            description: 'The order as it is now.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } },
          },
          '404': responses.notFound,
          '503': responses.unavailable,
        },
      },
    },
  },
  schemas: {
    ...ORDER_SCHEMAS,
    OrderMetrics: {
      type: 'object',
      additionalProperties: false,
      required: [
        'average_processing_time_seconds',
        'order_status_counts',
        'total_orders',
        'processing_time_seconds',
        'orders_per_second_last_minute',
      ],
      properties: {
        average_processing_time_seconds: {
          type: 'number',
          description:
            'Mean time from accepted (durable) to completed, over every completed order.',
        },
        order_status_counts: {
          type: 'object',
          additionalProperties: false,
          required: ['pending', 'processing', 'completed', 'failed'],
          properties: { pending: count, processing: count, completed: count, failed: count },
        },
        total_orders: count,
        processing_time_seconds: {
          type: 'object',
          additionalProperties: false,
          required: ['p50', 'p95', 'p99', 'over_latest'],
          description: 'Quantiles of accepted → completed over the latest 10,000 completed orders.',
          properties: {
            p50: seconds('Median.'),
            p95: seconds('95th percentile.'),
            p99: seconds('99th percentile.'),
            over_latest: { ...count, description: 'How many orders the quantiles cover.' },
          },
        },
        orders_per_second_last_minute: {
          type: 'number',
          description: 'Orders accepted in the last 60 seconds, per second.',
        },
      },
    },
    OrderQueueStatus: {
      type: 'object',
      additionalProperties: false,
      required: [
        'queue_length',
        'pending_orders',
        'total_processed',
        'oldest_pending_age_seconds',
        'consumer_lag',
      ],
      properties: {
        queue_length: {
          ...count,
          description: 'Accepted orders not finished yet (pending or processing).',
        },
        pending_orders: {
          type: 'array',
          maxItems: 10,
          items: { type: 'string' },
          description: 'The ten oldest of them, oldest first.',
        },
        total_processed: { ...count, description: 'Orders completed or failed.' },
        oldest_pending_age_seconds: seconds(
          'Age of the oldest unfinished order; `null` when none is waiting.',
        ),
        consumer_lag: {
          type: ['object', 'null'],
          description:
            "Accepted orders the workers' group has not settled yet; `null` while Kafka does not answer.",
          additionalProperties: false,
          required: ['total', 'partitions'],
          properties: {
            total: count,
            partitions: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['partition', 'lag'],
                properties: { partition: { type: 'integer' }, lag: count },
              },
            },
          },
        },
      },
    },
  },
};
