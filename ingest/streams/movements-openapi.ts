import { PRODUCT_ID_PATTERN } from '../../domain/product-id.js';
import { acceptedResponse, responses, type OpenApiPart } from '../../lib/http/openapi.js';

const uuid = { type: 'string', format: 'uuid' } as const;

export const eventsOpenApi: OpenApiPart = {
  tags: [
    {
      name: 'events',
      description: 'Send warehouse events over HTTP, for upstreams without Kafka.',
    },
  ],
  paths: {
    '/api/events': {
      post: {
        tags: ['events'],
        operationId: 'postEvents',
        summary: 'Accept one warehouse event or an array of them (at most 1000).',
        description:
          'The same CloudEvents JSON upstreams produce to the raw Kafka topic. Every event is validated ' +
          '(Avro schema and the rules Avro cannot express); if any is invalid none is accepted, and the ' +
          'problem lists every error with its path (`/2/data/quantity` for the third event of an array). ' +
          '202 means every event is durably in Kafka.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                oneOf: [
                  { $ref: '#/components/schemas/MovementEvent' },
                  {
                    type: 'array',
                    minItems: 1,
                    maxItems: 1000,
                    items: { $ref: '#/components/schemas/MovementEvent' },
                  },
                ],
              },
            },
          },
        },
        responses: {
          '202': acceptedResponse('Accepted: durably in Kafka, to be applied by the processor.'),
          '400': responses.badRequest,
          '503': responses.unavailable,
        },
      },
    },
  },
  schemas: {
    MovementEvent: {
      type: 'object',
      description:
        'A CloudEvents 1.0 envelope whose `data` is one leg of a movement (departure or arrival) or a stock count (inventory). ' +
        'Rules beyond these types: `subject` is `<source>:DEPARTURE|ARRIVAL|INVENTORY` agreeing with `data.event`; ' +
        '`type`/`dataschema` are `ru.retail.warehouses.movement[.v1.0]` for legs and `ru.retail.warehouses.inventory[.v1.0]` for counts; ' +
        'leg quantities are at least 1.',
      additionalProperties: false,
      required: [
        'id',
        'source',
        'specversion',
        'type',
        'datacontenttype',
        'dataschema',
        'time',
        'subject',
        'destination',
        'data',
      ],
      properties: {
        id: { type: 'string', minLength: 1, maxLength: 200 },
        source: { type: 'string', pattern: '^WH-[A-Za-z0-9]{4}$', examples: ['WH-3423'] },
        specversion: { const: '1.0' },
        type: { enum: ['ru.retail.warehouses.movement', 'ru.retail.warehouses.inventory'] },
        datacontenttype: { const: 'application/json' },
        dataschema: {
          enum: ['ru.retail.warehouses.movement.v1.0', 'ru.retail.warehouses.inventory.v1.0'],
        },
        time: { type: 'integer', minimum: 0, description: 'Epoch milliseconds.' },
        subject: { type: 'string', examples: ['WH-3423:ARRIVAL'] },
        destination: { type: 'string', minLength: 1, maxLength: 200 },
        data: {
          type: 'object',
          additionalProperties: false,
          required: ['movement_id', 'warehouse_id', 'timestamp', 'event', 'product_id', 'quantity'],
          properties: {
            movement_id: { ...uuid, description: "Shared by both legs; a stock count's own id." },
            warehouse_id: uuid,
            timestamp: {
              type: 'string',
              format: 'date-time',
              description: 'ISO 8601 with a zone.',
            },
            event: { enum: ['departure', 'arrival', 'inventory'] },
            product_id: {
              type: 'string',
              pattern: PRODUCT_ID_PATTERN,
              maxLength: 100,
              description: "A UUID (lowercased), or the catalog's id of the product, e.g. `item1`.",
            },
            quantity: { type: 'integer', minimum: 0, maximum: 2147483647 },
          },
        },
      },
    },
  },
};
