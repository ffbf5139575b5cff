import { describe, expect, it } from 'vitest';
import { analyticsApi } from './fixture.js';

describe('analytics API', () => {
  const { sales, stock, movements, ch, rows } = analyticsApi();

  it('holds the generated rows in the raw tables', async () => {
    const [counts] = await rows<{ sales: string; stock: string; moves: string }>(
      `SELECT (SELECT count() FROM ${ch.name}.sales) AS sales,
              (SELECT count() FROM ${ch.name}.stock_changes) AS stock,
              (SELECT count() FROM ${ch.name}.movement_changes) AS moves`,
    );
    expect(counts).toEqual({
      sales: '20000',
      stock: String(stock.length),
      moves: String(movements.length),
    });
    expect(new Set(sales.map((s) => s.order_id)).size).toBeGreaterThan(5000);
  });
});
