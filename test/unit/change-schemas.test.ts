import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkMovementChange,
  checkStockChange,
  movementChangeAvroSchema,
  stockChangeAvroSchema,
  type MovementChange,
  type StockChangeMessage,
} from '../../domain/change-schemas.js';
import { MOVEMENT_CHANGE_SQL, STOCK_CHANGE_SQL } from '../../processors/change-payloads.js';
import { movementChangesTable, stockChangesTable } from '../../processors/sink/sink-tables.js';

const movementChange: MovementChange = {
  movement_id: 'c6290746-790e-43fa-8270-014dc90e02e0',
  status: 'completed',
  previous_status: 'in_transit',
  product_id: '4705204f-498f-4f96-b4ba-df17fb56bf55',
  sender_warehouse_id: 'c1d70bc2-a5b8-4e8a-9a5b-2dbd7bc4a7e5',
  sender_source: 'WH-3322',
  departed_at: '2025-02-18T12:12:56+00:00',
  departure_quantity: 100,
  departure_state: 'applied',
  receiver_warehouse_id: '0d8ca3cb-0bc2-4b66-8e3a-9cbc2d41c6a1',
  receiver_source: 'WH-3323',
  arrived_at: '2025-02-18T14:34:56+00:00',
  arrival_quantity: 100,
  anomalies: [],
  version: 2,
  changed_at: '2026-12-03T07:20:00.123456+00:00',
};

const stockChange: StockChangeMessage = {
  ledger_id: 41,
  warehouse_id: 'c1d70bc2-a5b8-4e8a-9a5b-2dbd7bc4a7e5',
  product_id: '4705204f-498f-4f96-b4ba-df17fb56bf55',
  reason: 'departure',
  delta: -100,
  balance: 150,
  movement_id: 'c6290746-790e-43fa-8270-014dc90e02e0',
  event_id: 'evt-1',
  occurred_at: '2025-02-18T12:12:56+00:00',
  recorded_at: '2026-12-03T07:20:00.123456+00:00',
};

const position = { topic: 't', partition: 0, offset: '7' };
const names = (schema: { fields: readonly { name: string }[] }) => schema.fields.map((f) => f.name);

describe('change topics contract', () => {
  it('is the same in schemas/*.avsc and in change-schemas.ts', () => {
    const read = (name: string): unknown =>
      JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'));
    expect(read('movement-change.avsc')).toEqual(movementChangeAvroSchema);
    expect(read('stock-change.avsc')).toEqual(stockChangeAvroSchema);
  });

  it('is what the processor builds: one SQL expression per field, no more', () => {
    expect(Object.keys(MOVEMENT_CHANGE_SQL)).toEqual(names(movementChangeAvroSchema));
    expect(Object.keys(STOCK_CHANGE_SQL)).toEqual(names(stockChangeAvroSchema));
  });

  it('accepts a change as Postgres writes it, nulls for legs not seen yet', () => {
    expect(checkMovementChange(movementChange)).toEqual({ ok: true, value: movementChange });
    const arrivedFirst = {
      ...movementChange,
      status: 'arrived_first',
      previous_status: null,
      sender_warehouse_id: null,
      sender_source: null,
      departed_at: null,
      departure_quantity: null,
      departure_state: null,
    };
    expect(checkMovementChange(arrivedFirst).ok).toBe(true);
    expect(checkStockChange(stockChange)).toEqual({ ok: true, value: stockChange });
  });

  it('names every field that is missing, mistyped, undeclared or not a time', () => {
    const noVersion: Record<string, unknown> = { ...movementChange };
    delete noVersion.version;
    expect(checkMovementChange(noVersion)).toEqual({
      ok: false,
      errors: [{ path: '/version', message: 'is missing' }],
    });
    expect(checkMovementChange({ ...movementChange, departure_quantity: '100' })).toEqual({
      ok: false,
      errors: [{ path: '/departure_quantity', message: 'should be null or int, got "100"' }],
    });
    expect(checkStockChange({ ...stockChange, note: 'x' })).toEqual({
      ok: false,
      errors: [{ path: '/note', message: 'is not a field of the record' }],
    });
    expect(checkStockChange({ ...stockChange, occurred_at: 'yesterday' })).toEqual({
      ok: false,
      errors: [{ path: '/occurred_at', message: 'should be a time, got "yesterday"' }],
    });
    expect(checkStockChange(null).ok).toBe(false);
  });

  it('makes the sink dead-letter a misfit with the reason, never store it as zeros', () => {
    const noBalance: Record<string, unknown> = { ...stockChange };
    delete noBalance.balance;
    expect(stockChangesTable.toRow(noBalance, {} as never, position)).toBe(
      'stock change does not fit its contract: /balance is missing',
    );
    const row = movementChangesTable.toRow(
      { ...movementChange, version: 'two' },
      {} as never,
      position,
    );
    expect(row).toBe(
      'movement change does not fit its contract: /version should be int, got "two"',
    );
  });

  it('gives the sink the row of a change that fits', () => {
    expect(stockChangesTable.toRow(stockChange, {} as never, position)).toEqual({
      ledger_id: 41,
      warehouse_id: stockChange.warehouse_id,
      product_id: stockChange.product_id,
      reason: 'departure',
      delta: -100,
      balance: 150,
      movement_id: stockChange.movement_id,
      occurred_at: Date.parse('2025-02-18T12:12:56Z') / 1000,
      recorded_at: Math.floor(Date.parse('2026-12-03T07:20:00.123Z') / 1000),
      _topic: 't',
      _partition: 0,
      _offset: '7',
    });
  });
});
