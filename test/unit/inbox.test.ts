import { describe, expect, it } from 'vitest';
import { kindOfFile } from '../../ingest/imports/inbox.js';

describe('inbox file names', () => {
  it('name their kind by prefix, the longest kind first; other files name none', () => {
    expect(kindOfFile('products.csv')).toBe('products');
    expect(kindOfFile('Sales-2021-01.CSV')).toBe('sales');
    expect(kindOfFile('stock_counts_north.csv')).toBe('stock_counts');
    expect(kindOfFile('movements.csv')).toBe('movements');
    expect(kindOfFile('products.txt')).toBeUndefined();
    expect(kindOfFile('daily-sales.csv')).toBeUndefined();
  });
});
