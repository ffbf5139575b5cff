import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { productId } from '../../domain/product-id.js';
import { validateMovementEvent } from '../../domain/validate-movement.js';
import { productRules } from '../../domain/reference-rows.js';

describe('productId', () => {
  it('keeps a UUID in lowercase, whatever its spelling', () => {
    expect(productId('4705204F-498F-4F96-B4BA-DF17FB56BF55')).toBe(
      '4705204f-498f-4f96-b4ba-df17fb56bf55',
    );
  });

  it("takes the catalog's ids as they are", () => {
    for (const id of ['item1', '13681706', 'SKU-12.a_b:c', 'X']) expect(productId(id)).toBe(id);
  });

  it('refuses what cannot name a product in a stock key or a URL path', () => {
    for (const id of ['', ' item1', 'a/b', 'a b', '-x', 'é', 'x'.repeat(101), 'a\nb']) {
      expect(productId(id), JSON.stringify(id)).toBeUndefined();
    }
  });

  it('never accepts an id with a slash, space or control character', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const id = productId(s);
        if (id !== undefined) expect(id).not.toMatch(/[/\s\p{Cc}]/u);
      }),
    );
  });
});

describe('product ids in the streams that name products', () => {
  const count = (product_id: unknown) => ({
    id: 'c-1',
    source: 'WH-3322',
    specversion: '1.0',
    type: 'ru.retail.warehouses.inventory',
    datacontenttype: 'application/json',
    dataschema: 'ru.retail.warehouses.inventory.v1.0',
    time: 1739865600000,
    subject: 'WH-3322:INVENTORY',
    destination: 'ru.retail.warehouses',
    data: {
      movement_id: '3f1c0c36-3ad0-4d4f-9d36-8f0c1c0e2a11',
      warehouse_id: '25718666-6af6-4281-b5a6-3016e36fa557',
      timestamp: '2025-02-18T08:00:00Z',
      event: 'inventory',
      product_id,
      quantity: 5,
    },
  });

  it('counts stock of a catalog id, and of an upper-case UUID as its lowercase', () => {
    const a = validateMovementEvent(count('item1'));
    expect(a.ok && a.event.data.product_id).toBe('item1');
    const b = validateMovementEvent(count('4705204F-498F-4F96-B4BA-DF17FB56BF55'));
    expect(b.ok && b.event.data.product_id).toBe('4705204f-498f-4f96-b4ba-df17fb56bf55');
  });

  it('refuses a product id that is neither, saying what it must be', () => {
    const r = validateMovementEvent(count('a/b'));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toEqual([
        expect.objectContaining({
          path: '/data/product_id',
          message: expect.stringContaining('a product id') as unknown,
        }),
      ]);
    }
  });

  it('stores a catalog row under the same id a movement names it by', () => {
    const row = productRules.parse({
      product_id: '4705204F-498F-4F96-B4BA-DF17FB56BF55',
      name: 'Winter jacket',
      unit_price: '249.90',
    });
    expect(row.ok && row.row.product_id).toBe('4705204f-498f-4f96-b4ba-df17fb56bf55');
    const bad = productRules.parse({ product_id: 'a b', name: 'x', unit_price: '1' });
    expect(bad.ok).toBe(false);
  });
});
