import { ORDER_SCHEMAS } from '../../lib/http/order-schema.js';
import { responses, type OpenApiPart } from '../../lib/http/openapi.js';

export const ordersReadOpenApi: OpenApiPart = {
  tags: [{ name: 'orders', description: 'Orders (seed 004): taken, priced, reserved, followed.' }],
  paths: {
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
            schema: { type: 'string', minLength: 1, maxLength: 100 },
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
  schemas: { ...ORDER_SCHEMAS },
};
