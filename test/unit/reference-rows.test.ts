import { describe, expect, it } from 'vitest';
import {
  countryRules,
  headerProblem,
  productRules,
  warehouseRules,
} from '../../domain/reference-rows.js';

describe('reference rows', () => {
  it('a product price becomes an exact decimal with two places', () => {
    const price = (unit_price: string) => {
      const r = productRules.parse({ product_id: 'p', name: 'n', unit_price });
      return r.ok ? r.row.unit_price : r.errors;
    };
    expect(price('4')).toBe('4.00');
    expect(price('19.9')).toBe('19.90');
    expect(price('007.05')).toBe('7.05');
    expect(price('0')).toBe('0.00');
    expect(price(' 12.34 ')).toBe('12.34');
    for (const bad of ['-1', '1.234', '1e3', '1,5', '.5', 'abc', '1.']) {
      expect(price(bad)).toEqual([
        {
          column: 'unit_price',
          message: `must be a non-negative decimal with at most 2 places, got ${JSON.stringify(bad)}`,
        },
      ]);
    }
  });

  it('reports every problem of a row, each with its column', () => {
    const r = warehouseRules.parse({
      warehouse_id: 'nope',
      code: 'WH-1',
      name: '',
      city: 'x'.repeat(201),
      country_id: '7',
    });
    expect(r).toEqual({
      ok: false,
      errors: [
        { column: 'warehouse_id', message: 'must be a UUID, got "nope"' },
        { column: 'code', message: 'must be "WH-" and four digits, got "WH-1"' },
        { column: 'name', message: 'is required' },
        { column: 'city', message: 'is 201 characters long; at most 200' },
      ],
    });
  });

  it('optional columns may be empty or absent; text with a control character is refused', () => {
    expect(countryRules.parse({ ID_COUNTRY: '203', COUNTRY_NAME: 'Czechia' })).toEqual({
      ok: true,
      row: { country_id: '203', name: 'Czechia', continent: null },
    });
    expect(countryRules.parse({ ID_COUNTRY: '1', COUNTRY_NAME: 'a\u0007b' })).toEqual({
      ok: false,
      errors: [{ column: 'COUNTRY_NAME', message: 'holds a control character' }],
    });
  });

  it('a header must have the required columns and nothing unknown, each once', () => {
    expect(headerProblem(['product_id', 'unit_price', 'name'], productRules)).toBeUndefined();
    expect(headerProblem(['product_id', 'price', 'name', 'name'], productRules)).toBe(
      'header columns missing unit_price; unknown price; repeated name ' +
        '(expected product_id, name, unit_price, optionally category, brand)',
    );
  });
});
