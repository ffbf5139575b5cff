import { responses, type JsonObject, type OpenApiPart } from '../../lib/http/openapi.js';

// The contract of the imports API, as operators and their tools read it at /docs.

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const count = (description: string): JsonObject => ({ type: 'integer', minimum: 0, description });
const when = (description: string): JsonObject => ({
  type: ['string', 'null'],
  format: 'date-time',
  description,
});
const idParam: JsonObject = {
  name: 'import_id',
  in: 'path',
  required: true,
  schema: { type: 'integer', minimum: 1, maximum: 9007199254740991 },
};
const limit = (max: number, dflt: number): JsonObject => ({
  name: 'limit',
  in: 'query',
  required: false,
  schema: { type: 'integer', minimum: 1, maximum: max, default: dflt },
});

const schemas: JsonObject = {
  ImportKind: {
    type: 'string',
    enum: ['products', 'warehouses', 'countries', 'sales', 'stock_counts', 'movements'],
  },
  Import: {
    type: 'object',
    additionalProperties: false,
    required: [
      'import_id',
      'kind',
      'file_name',
      'sha256',
      'forced',
      'status',
      'bytes_total',
      'bytes_done',
      'rows',
      'error',
      'job_id',
      'created_at',
      'started_at',
      'finished_at',
      'duration_seconds',
    ],
    properties: {
      import_id: { type: 'integer' },
      kind: ref('ImportKind'),
      file_name: { type: 'string' },
      sha256: {
        type: 'string',
        pattern: '^[0-9a-f]{64}$',
        description: 'The content hash: the same file imports once unless forced.',
      },
      forced: { type: 'boolean' },
      status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed'] },
      bytes_total: count('The file size.'),
      bytes_done: count('How far the file has been read.'),
      rows: {
        type: 'object',
        additionalProperties: false,
        required: ['read', 'imported', 'failed', 'duplicate'],
        description: 'read = imported + failed + duplicate once the import has succeeded.',
        properties: {
          read: count('Rows read so far (the header aside).'),
          imported: count('Rows that went in.'),
          failed: count('Rows kept in failed rows, with their reasons.'),
          duplicate: count('Rows whose key an earlier row of the file had.'),
        },
      },
      error: { type: ['string', 'null'], description: 'Why a failed import failed.' },
      job_id: {
        type: ['integer', 'null'],
        description: 'The daily job run (scheduled or POST /trigger-job) that started it.',
      },
      created_at: { type: 'string', format: 'date-time' },
      started_at: when('When it started running.'),
      finished_at: when('When it succeeded or failed.'),
      duration_seconds: { type: ['number', 'null'], minimum: 0 },
    },
  },
  ImportJob: {
    type: 'object',
    additionalProperties: false,
    description: 'A run of the daily job: scheduled (IMPORT_SCHEDULE) or by POST /trigger-job.',
    required: [
      'job_id',
      'trigger',
      'scheduled_for',
      'backfilled',
      'status',
      'error',
      'started_at',
      'finished_at',
    ],
    properties: {
      job_id: { type: 'integer' },
      trigger: { type: 'string', enum: ['schedule', 'manual'] },
      scheduled_for: when('The tick of the schedule it ran for; null when triggered by hand.'),
      backfilled: {
        type: 'boolean',
        description: 'A tick missed while no process ran, caught up at start-up.',
      },
      status: { type: 'string', enum: ['running', 'succeeded', 'failed'] },
      error: { type: ['string', 'null'] },
      started_at: { type: 'string', format: 'date-time' },
      finished_at: when('When its last import ended.'),
    },
  },
  ImportPage: {
    type: 'object',
    additionalProperties: false,
    required: ['items', 'next_before'],
    properties: {
      items: { type: 'array', items: ref('Import') },
      next_before: {
        type: ['integer', 'null'],
        description: 'Pass as `before` for the next (older) page; null on the last page.',
      },
    },
  },
  FailedRow: {
    type: 'object',
    additionalProperties: false,
    required: ['line', 'raw', 'reasons'],
    properties: {
      line: { type: 'integer', minimum: 1, description: 'The line of the file the row starts on.' },
      raw: { type: 'string', description: 'The row exactly as it was in the file.' },
      reasons: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['column', 'message'],
          properties: {
            column: { type: 'string', description: "The header column; '' for the whole row." },
            message: { type: 'string' },
          },
        },
      },
    },
  },
  FailedRowPage: {
    type: 'object',
    additionalProperties: false,
    required: ['items', 'next_after_line'],
    properties: {
      items: { type: 'array', items: ref('FailedRow') },
      next_after_line: { type: ['integer', 'null'] },
    },
  },
};

const created = (description: string): JsonObject => ({
  description,
  headers: { Location: { description: 'The import.', schema: { type: 'string' } } },
  content: { 'application/json': { schema: ref('Import') } },
});

const paths: JsonObject = {
  '/trigger-job': {
    post: {
      tags: ['imports'],
      operationId: 'triggerJob',
      summary:
        'Run the daily job now: import every inbox file not imported yet, its kind named by its file name (products*.csv, sales*.csv, …).',
      responses: {
        '202': {
          description:
            'The imports queued (run one after another) and the files left alone, with why.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['job', 'imports', 'skipped'],
                properties: {
                  job: ref('ImportJob'),
                  imports: { type: 'array', items: ref('Import') },
                  skipped: {
                    type: 'array',
                    items: {
                      type: 'object',
                      additionalProperties: false,
                      required: ['file', 'reason'],
                      properties: { file: { type: 'string' }, reason: { type: 'string' } },
                    },
                  },
                },
              },
            },
          },
        },
        '400': responses.badRequest,
        '503': responses.unavailable,
      },
    },
  },
  '/imports': {
    post: {
      tags: ['imports'],
      operationId: 'startImport',
      summary:
        'Import a file of the inbox (IMPORT_INBOX_DIR), or a CSV uploaded as the body; the import runs after the answer.',
      parameters: [
        {
          name: 'kind',
          in: 'query',
          required: false,
          description: 'With a text/csv body: what the file holds.',
          schema: ref('ImportKind'),
        },
        {
          name: 'force',
          in: 'query',
          required: false,
          description: 'With a text/csv body: import again a file imported before.',
          schema: { type: 'boolean' },
        },
        {
          name: 'file_name',
          in: 'query',
          required: false,
          description: 'With a text/csv body: the name the import shows.',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
        },
      ],
      requestBody: {
        required: true,
        content: {
          'text/csv': {
            schema: {
              type: 'string',
              format: 'binary',
              description:
                'The file itself, streamed to the inbox (uploads/) and never held in memory.',
            },
          },
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'path'],
              properties: {
                kind: ref('ImportKind'),
                path: {
                  type: 'string',
                  minLength: 1,
                  maxLength: 1000,
                  description:
                    'A file inside the inbox, relative to it; anything outside is refused.',
                },
                force: { type: 'boolean', description: 'Import again a file imported before.' },
              },
            },
          },
        },
      },
      responses: {
        '200': created('The file was imported before (same content): the earlier import.'),
        '202': created('The import, queued: follow it at its Location.'),
        '400': responses.badRequest,
        '503': responses.unavailable,
      },
    },
    get: {
      tags: ['imports'],
      operationId: 'listImports',
      summary: 'Imports, newest first.',
      parameters: [
        limit(200, 50),
        {
          name: 'before',
          in: 'query',
          required: false,
          description: 'Only imports older than this id (from `next_before`).',
          schema: { type: 'integer', minimum: 1, maximum: 9007199254740991 },
        },
      ],
      responses: {
        '200': {
          description: 'A page of imports.',
          content: { 'application/json': { schema: ref('ImportPage') } },
        },
        '400': responses.badRequest,
        '503': responses.unavailable,
      },
    },
  },
  '/imports/{import_id}': {
    get: {
      tags: ['imports'],
      operationId: 'getImport',
      summary: 'One import: its status, counts and progress.',
      parameters: [idParam],
      responses: {
        '200': {
          description: 'The import as it is now.',
          content: { 'application/json': { schema: ref('Import') } },
        },
        '400': responses.badRequest,
        '404': responses.notFound,
        '503': responses.unavailable,
      },
    },
  },
  '/imports/{import_id}/failed-rows': {
    get: {
      tags: ['imports'],
      operationId: 'listFailedRows',
      summary:
        "An import's failed rows in file order: JSON pages, or all of them as CSV by `Accept`.",
      parameters: [
        idParam,
        limit(1000, 100),
        {
          name: 'after_line',
          in: 'query',
          required: false,
          description: 'Only rows after this line (from `next_after_line`).',
          schema: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
        },
      ],
      responses: {
        '200': {
          description: 'Failed rows.',
          content: {
            'application/json': { schema: ref('FailedRowPage') },
            // Every failed row: line, raw, reasons (as "column: message; …").
            'text/csv': { schema: { type: 'string' } },
          },
        },
        '400': responses.badRequest,
        '404': responses.notFound,
        '406': responses.notAcceptable,
        '503': responses.unavailable,
      },
    },
  },
};

export const importsOpenApi: OpenApiPart = {
  tags: [
    { name: 'imports', description: 'Bulk imports of CSV files (seed 002) and their failed rows.' },
  ],
  paths,
  schemas,
};
