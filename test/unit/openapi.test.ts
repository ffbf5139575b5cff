import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { analyticsOpenApi } from '../../api/analytics/openapi.js';
import { movementsOpenApi } from '../../api/movements/openapi.js';
import { buildOpenApi, responses, type JsonObject } from '../../lib/http/openapi.js';
import { eventsOpenApi } from '../../ingest/streams/movements-openapi.js';
import { salesOpenApi } from '../../ingest/streams/sales-openapi.js';

// The served document is the contract: it must be valid OpenAPI 3.1 and say
// the same things the same way in every operation.

// Every part the API role serves.
const document = buildOpenApi([movementsOpenApi, eventsOpenApi, salesOpenApi, analyticsOpenApi]);

interface Operation {
  operationId?: string;
  tags?: string[];
  responses: Record<string, unknown>;
}

function operations(): [string, Operation][] {
  const paths = document.paths as Record<string, Record<string, Operation>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]): [string, Operation] => [`${method} ${path}`, op]),
  );
}

function refs(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refs);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? [v] : refs(v),
  );
}

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(Validator.supportedVersions.has('3.1')).toBe(true);
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('gives every operation a unique operationId, a declared tag and shared problem responses', () => {
    const declaredTags = (document.tags as { name: string }[]).map((t) => t.name);
    const ids = operations().map(([, op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const helpers: unknown[] = Object.values(responses);
    for (const [name, op] of operations()) {
      expect(op.operationId, name).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.tags?.length, name).toBeGreaterThan(0);
      for (const tag of op.tags ?? []) expect(declaredTags, name).toContain(tag);
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^4\d\d$/.test(status)) continue;
        expect(helpers, `${name} ${status}`).toContain(response);
        expect(refs(response), `${name} ${status}`).toEqual(['#/components/schemas/Problem']);
      }
    }
  });

  it('answers malformed and unknown ids of the movements API with problems', () => {
    const movementOps = operations().filter(([, op]) => op.tags?.includes('movements'));
    expect(movementOps.map(([name]) => name)).toEqual([
      'get /api/movements/{movement_id}',
      'get /api/warehouses/{warehouse_id}/products/{product_id}',
    ]);
    for (const [, op] of movementOps) {
      expect(op.responses['400']).toBe(responses.badRequest);
      expect(op.responses['404']).toBe(responses.notFound);
      expect(Object.keys(op.responses)).toContain('304');
    }
  });

  it('resolves every $ref and closes every movements schema to unknown properties', () => {
    const schemas = (document.components as { schemas: Record<string, JsonObject> }).schemas;
    for (const ref of refs(document)) {
      expect(schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
    }
    // MovementLeg is only ever used inside MovementSender's and MovementReceiver's allOf.
    const closed = ['Movement', 'MovementSender', 'MovementReceiver', 'Anomaly', 'StockLevel'];
    for (const name of [...closed, 'StockLedgerEntry']) {
      const schema = schemas[name]!;
      expect(schema.additionalProperties ?? schema.unevaluatedProperties, name).toBe(false);
      expect(schema.description, name).toEqual(expect.any(String));
    }
  });
});
