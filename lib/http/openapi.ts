// The OpenAPI document is the contract: requests and responses are validated
// against it, it is served at /openapi.json, and /docs renders it. Feature
// modules contribute their paths and schemas through `OpenApiPart`s.

export type JsonObject = { [key: string]: unknown };

/** A role's share of the OpenAPI document: its paths, component schemas and tags. */
export interface OpenApiPart {
  readonly paths: JsonObject;
  readonly schemas?: JsonObject;
  readonly tags?: readonly { name: string; description: string }[];
}

const problemResponse = (description: string): JsonObject => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** 202 for the endpoints that accept events into Kafka. */
export function acceptedResponse(description: string): JsonObject {
  return {
    description,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          additionalProperties: false,
          required: ['accepted'],
          properties: { accepted: { type: 'integer', minimum: 1 } },
        },
      },
    },
  };
}

export const responses = {
  badRequest: problemResponse('The request is malformed; `errors` names each bad field.'),
  notFound: problemResponse('No such resource.'),
  unavailable: problemResponse('A dependency is unavailable; retry later.'),
  notAcceptable: problemResponse('The `Accept` header allows none of the media types offered.'),
} as const;

const operationalPart: OpenApiPart = {
  tags: [{ name: 'operations', description: 'Liveness, readiness and metrics.' }],
  paths: {
    '/health': {
      get: {
        tags: ['operations'],
        operationId: 'getHealth',
        summary: 'Liveness: the process is up and serving HTTP.',
        responses: {
          '200': {
            description: 'Alive.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['status'],
                  properties: { status: { const: 'ok' }, uptime_seconds: { type: 'number' } },
                },
              },
            },
          },
        },
      },
    },
    '/ready': {
      get: {
        tags: ['operations'],
        operationId: 'getReady',
        summary: 'Readiness: Kafka, the schema registry, Postgres and ClickHouse, each reported.',
        responses: {
          '200': {
            description: 'Every dependency answers.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } },
          },
          '503': {
            description: 'At least one dependency is down.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } },
          },
        },
      },
    },
    '/metrics': {
      get: {
        tags: ['operations'],
        operationId: 'getMetrics',
        summary: 'Prometheus metrics of this process.',
        responses: {
          '200': {
            description: 'Prometheus text format.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
  },
  schemas: {
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details.',
      required: ['type', 'title', 'status', 'detail', 'code'],
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        code: { type: 'string' },
        instance: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
    Readiness: {
      type: 'object',
      required: ['status', 'checks'],
      properties: {
        status: { enum: ['ready', 'not_ready'] },
        checks: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['status', 'latency_ms'],
            properties: {
              status: { enum: ['up', 'down'] },
              latency_ms: { type: 'number' },
              error: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

export function buildOpenApi(parts: readonly OpenApiPart[]): JsonObject {
  const all = [operationalPart, ...parts];
  return {
    openapi: '3.1.0',
    info: {
      title: 'stockflow',
      version: '0.1.0',
      description:
        'Warehouse movements, exact stock and analytics. Errors are RFC 9457 problem details (`application/problem+json`).',
    },
    servers: [{ url: '/' }],
    // Roles share tags (orders: intake in ingest, reads in api); each is listed once.
    tags: [...new Map(all.flatMap((p) => p.tags ?? []).map((t) => [t.name, t])).values()],
    paths: Object.assign({}, ...all.map((p) => p.paths)) as JsonObject,
    components: { schemas: Object.assign({}, ...all.map((p) => p.schemas ?? {})) as JsonObject },
  };
}
