import { acceptedResponse, responses, type OpenApiPart } from '../../lib/http/openapi.js';
import { SALE_CATEGORIES } from '../../domain/sale.js';

const identifier = (description: string) =>
  ({
    type: ['string', 'integer'],
    description: `${description}: 1 to 64 characters of \`A-Z a-z 0-9 . _ : -\`, or a non-negative integer (kept as its decimal string).`,
    examples: ['34033734'],
  }) as const;

export const salesOpenApi: OpenApiPart = {
  tags: [
    {
      name: 'sales',
      description: 'Send sale lines (seed 003) over HTTP, for upstreams without Kafka.',
    },
  ],
  paths: {
    '/ingest': {
      post: {
        tags: ['sales'],
        operationId: 'postSales',
        summary: 'Accept one sale line or an array of them (at most 1000).',
        description:
          'The same JSON upstreams produce to the raw sales topic (`KAFKA_SALES_TOPIC`). Every sale is ' +
          'validated; if any is invalid none is accepted, and the problem lists the errors with their ' +
          'paths (`/2/REVENUE` for the third sale of an array). 202 means every sale is durably in Kafka.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                oneOf: [
                  { $ref: '#/components/schemas/Sale' },
                  {
                    type: 'array',
                    minItems: 1,
                    maxItems: 1000,
                    items: { $ref: '#/components/schemas/Sale' },
                  },
                ],
              },
            },
          },
        },
        responses: {
          '202': acceptedResponse('Accepted: durably in Kafka, on the validated sales topic.'),
          '400': responses.badRequest,
          '503': responses.unavailable,
        },
      },
    },
  },
  schemas: {
    Sale: {
      type: 'object',
      description:
        'One sale line as in seed 003: one product of one paid order. Rules beyond these types: ' +
        '`DATE_PAYMENT` is a real instant of the years 2000 to 2099; `REVENUE` is at least 0, below ' +
        '10^13, with at most 2 decimal places (a JSON number is read as written: `1e-7` is refused) ' +
        'and is kept exactly, as a decimal string with 2 places.',
      additionalProperties: false,
      required: [
        'ID_ORDER',
        'ID_PRODUCT',
        'ID_BUYER',
        'ID_SELLER',
        'ID_SELLER_COUNTRY',
        'ID_BUYER_COUNTRY',
        'DATE_PAYMENT',
        'CATEGORY',
        'REVENUE',
      ],
      properties: {
        ID_ORDER: identifier('The order'),
        ID_PRODUCT: identifier('The product sold'),
        ID_BUYER: identifier('The buyer'),
        ID_SELLER: identifier('The seller'),
        ID_SELLER_COUNTRY: identifier("The seller's country"),
        ID_BUYER_COUNTRY: identifier("The buyer's country"),
        DATE_PAYMENT: {
          type: 'string',
          description:
            'When the order was paid: `YYYY-MM-DD HH:MM:SS` (UTC, the seed format) or ISO 8601 with a zone.',
          examples: ['2021-01-07 00:09:24', '2021-01-07T02:09:24.5+02:00'],
        },
        BRAND: {
          type: ['string', 'null'],
          maxLength: 200,
          description: 'Optional; missing or null is stored as an empty string.',
          examples: ['Dsquared2'],
        },
        CATEGORY: { enum: [...SALE_CATEGORIES] },
        REVENUE: {
          type: ['number', 'string'],
          description:
            'Money: a JSON number or a decimal string, at least 0, at most 2 decimal places, below 10^13.',
          examples: [57.27, '57.27'],
        },
        QUANTITY: {
          type: 'integer',
          minimum: 1,
          maximum: 1000000,
          default: 1,
          description: 'Units sold; 1 when missing.',
        },
      },
    },
  },
};
