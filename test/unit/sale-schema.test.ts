import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import avro from 'avsc';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { buildOpenApi, responses, type JsonObject } from '../../lib/http/openapi.js';
import type { Sale } from '../../domain/sale.js';
import { SALE_CATEGORIES } from '../../domain/sale.js';
import { saleAvroSchema, saleAvroType } from '../../domain/sale-schema.js';
import { salesOpenApi } from '../../ingest/streams/sales-openapi.js';

describe('sale Avro schema', () => {
  it('is the same in schemas/sale.avsc and in sale-schema.ts', () => {
    const file = new URL('../../schemas/sale.avsc', import.meta.url);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(saleAvroSchema);
    expect(saleAvroType.name).toBe('dev.stockflow.sales.Sale');
  });

  it('has the fields of Sale, each documented', () => {
    type Names<S> = S extends { readonly fields: readonly { readonly name: infer N }[] }
      ? N
      : never;
    expectTypeOf<Names<typeof saleAvroSchema>>().toEqualTypeOf<keyof Sale>();
    for (const f of saleAvroSchema.fields) expect(f.doc, f.name).toMatch(/\w/);
    expect(saleAvroSchema.doc).toContain('BACKWARD');
  });

  it('takes its CATEGORY enum from SALE_CATEGORIES', () => {
    const category = saleAvroSchema.fields.find((f) => f.name === 'CATEGORY')?.type;
    expect(category).toMatchObject({ type: 'enum', symbols: [...SALE_CATEGORIES] });
    expect(new Set(SALE_CATEGORIES).size).toBe(SALE_CATEGORIES.length);
  });

  it('reads data written with one category fewer (adding a category is BACKWARD compatible)', () => {
    const older = structuredClone(saleAvroSchema) as unknown as {
      fields: { name: string; type: unknown }[];
    };
    const field = older.fields.find((f) => f.name === 'CATEGORY');
    field!.type = { ...(field!.type as object), symbols: SALE_CATEGORIES.slice(0, -1) };
    const oldType = avro.Type.forSchema(older as never);
    const resolver = saleAvroType.createResolver(oldType);
    const sale: Sale = {
      ID_ORDER: '1',
      ID_PRODUCT: '2',
      ID_BUYER: '3',
      ID_SELLER: '4',
      ID_SELLER_COUNTRY: '5',
      ID_BUYER_COUNTRY: '6',
      DATE_PAYMENT: 0,
      BRAND: '',
      CATEGORY: 'books',
      REVENUE: '0.00',
      QUANTITY: 1,
    };
    expect(saleAvroType.fromBuffer(oldType.toBuffer(sale), resolver)).toEqual(sale);
  });
});

describe('sale OpenAPI part', () => {
  const document = buildOpenApi([salesOpenApi]);
  const schemas = (document.components as { schemas: Record<string, JsonObject> }).schemas;
  const sale = schemas['Sale'] as {
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, JsonObject>;
  };

  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('describes every Avro field, closed, with the categories of SALE_CATEGORIES', () => {
    expect(Object.keys(sale.properties)).toEqual(saleAvroSchema.fields.map((f) => f.name));
    expect(sale.additionalProperties).toBe(false);
    expect(sale.required).toEqual(
      saleAvroSchema.fields.map((f) => f.name).filter((n) => n !== 'BRAND' && n !== 'QUANTITY'),
    );
    expect(sale.properties['CATEGORY']).toEqual({ enum: [...SALE_CATEGORIES] });
    expect(sale.properties['REVENUE']).toMatchObject({ type: ['number', 'string'] });
  });

  it('answers POST /ingest with 202, or the shared problems', () => {
    const post = (document.paths as Record<string, Record<string, JsonObject>>)['/ingest']?.post;
    expect(post?.operationId).toBe('postSales');
    expect(post?.responses).toMatchObject({
      '400': responses.badRequest,
      '503': responses.unavailable,
    });
  });
});
