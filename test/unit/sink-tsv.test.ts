import { describe, expect, it } from 'vitest';
import { movementChangesTable, salesTable } from '../../processors/sink/sink-tables.js';
import { tsvRows } from '../../processors/sink/tsv.js';

// The sink inserts TabSeparated; a value must never end its field or row early.
describe('tsvRows', () => {
  const sale = {
    source_id: 'kafka:sales.validated:0:7',
    order_id: 'o\t1',
    product_id: 'p\n2',
    buyer_id: 'b\\3',
    seller_id: 's\r4',
    seller_country: 'c\u00005',
    buyer_country: 'Кириллица 🚀',
    paid_at: 1_700_000_000,
    brand: 'O\'Brien, "quoted"',
    category: 'clothing',
    revenue_cents: 5727,
    quantity: 2,
    _topic: 'sales.validated',
    _partition: 0,
    _offset: '7',
  };

  it('escapes backslash, tab, line breaks and NUL, and keeps other text as it is', () => {
    const line = tsvRows(salesTable, [sale]).toString('utf8');
    expect(line.endsWith('\n')).toBe(true);
    const fields = line.slice(0, -1).split('\t');
    expect(fields).toHaveLength(salesTable.columns.length);
    expect(fields.slice(1, 7)).toEqual([
      'o\\t1',
      'p\\n2',
      'b\\\\3',
      's\\r4',
      'c\\05',
      'Кириллица 🚀',
    ]);
    expect(fields[8]).toBe('O\'Brien, "quoted"');
    expect(fields[10]).toBe('5727');
  });

  it('writes DateTime epoch seconds so 18.16 cannot mistake them for a date string', () => {
    const row = {
      movement_id: 'm',
      version: 1,
      status: 'in_transit',
      previous_status: '',
      product_id: 'p',
      sender_warehouse_id: 'w',
      receiver_warehouse_id: '',
      departed_at: 1_700_000_000,
      arrived_at: 0,
      departure_quantity: 5,
      arrival_quantity: 0,
      changed_at: 42,
      _topic: 't',
      _partition: 0,
      _offset: '1',
    };
    const fields = tsvRows(movementChangesTable, [row]).toString('utf8').trim().split('\t');
    const at = (name: string) => fields[movementChangesTable.columns.indexOf(name)];
    expect(at('arrived_at')).toBe('00000');
    expect(at('changed_at')).toBe('00042');
    expect(at('departed_at')).toBe('1700000000');
  });

  it('writes many rows into one body', () => {
    const body = tsvRows(
      salesTable,
      Array.from({ length: 5_000 }, () => sale),
    ).toString('utf8');
    expect(body.split('\n')).toHaveLength(5_001);
  });
});
