import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkMovementChange,
  checkOrderChange,
  checkStockChange,
  movementChangeAvroSchema,
  orderChangeAvroSchema,
  stockChangeAvroSchema,
  type MovementChange,
  type OrderChange,
  type StockChangeMessage,
} from '../../domain/change-schemas.js';
import {
  MOVEMENT_CHANGE_SQL,
  ORDER_CHANGE_SQL,
  STOCK_CHANGE_SQL,
} from '../../processors/change-payloads.js';
import {
  movementChangesTable,
  orderChangesTable,
  stockChangesTable,
} from '../../processors/sink/sink-tables.js';

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

// As Postgres writes them (jsonb_build_object of timestamptz: microseconds, an offset).
const processing: OrderChange = {
  order_id: 'ORD-1767225600000-0a1b2c3d4e5f',
  status: 'processing',
  previous_status: 'pending',
  user_id: 'user123',
  total_amount: '99.99',
  warehouse_id: null,
  failure_code: null,
  created_at: '2026-01-01T23:59:59.998765+00:00',
  changed_at: '2026-01-02T00:00:00.001234+00:00',
  completed_at: null,
};
const completed: OrderChange = {
  ...processing,
  status: 'completed',
  previous_status: 'processing',
  changed_at: '2026-01-02T00:00:00.042001+00:00',
  completed_at: '2026-01-02T00:00:00.042001+00:00',
};
const failed: OrderChange = {
  ...completed,
  status: 'failed',
  warehouse_id: 'c1d70bc2-a5b8-4e8a-9a5b-2dbd7bc4a7e5',
  failure_code: 'insufficient_stock',
};

const position = { topic: 't', partition: 0, offset: '7' };
const names = (schema: { fields: readonly { name: string }[] }) => schema.fields.map((f) => f.name);

describe('change topics contract', () => {
  it('is the same in schemas/*.avsc and in change-schemas.ts', () => {
    const read = (name: string): unknown =>
      JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'));
    expect(read('movement-change.avsc')).toEqual(movementChangeAvroSchema);
    expect(read('stock-change.avsc')).toEqual(stockChangeAvroSchema);
    expect(read('order-change.avsc')).toEqual(orderChangeAvroSchema);
  });

  it('is what the processor builds: one SQL expression per field, no more', () => {
    expect(Object.keys(MOVEMENT_CHANGE_SQL)).toEqual(names(movementChangeAvroSchema));
    expect(Object.keys(STOCK_CHANGE_SQL)).toEqual(names(stockChangeAvroSchema));
    expect(Object.keys(ORDER_CHANGE_SQL)).toEqual(names(orderChangeAvroSchema));
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

  describe('order changes', () => {
    it('accepts each change the orders role writes', () => {
      for (const change of [processing, completed, failed]) {
        expect(checkOrderChange(change)).toEqual({ ok: true, value: change });
      }
      // Straight from pending to a final status: the contract does not forbid it.
      expect(checkOrderChange({ ...completed, previous_status: 'pending' }).ok).toBe(true);
    });

    it('names every field that is missing, mistyped, undeclared, not a time or not a status', () => {
      const noUser: Record<string, unknown> = { ...processing };
      delete noUser.user_id;
      expect(checkOrderChange(noUser)).toEqual({
        ok: false,
        errors: [{ path: '/user_id', message: 'is missing' }],
      });
      expect(checkOrderChange({ ...processing, total_amount: 99.99 })).toEqual({
        ok: false,
        errors: [{ path: '/total_amount', message: 'should be string, got 99.99' }],
      });
      expect(checkOrderChange({ ...processing, status: 'shipped' })).toEqual({
        ok: false,
        errors: [
          {
            path: '/status',
            message: 'should be one of pending, processing, completed, failed, got "shipped"',
          },
        ],
      });
      expect(checkOrderChange({ ...processing, items: [] })).toEqual({
        ok: false,
        errors: [{ path: '/items', message: 'is not a field of the record' }],
      });
      expect(checkOrderChange({ ...completed, completed_at: 'soon' })).toEqual({
        ok: false,
        errors: [{ path: '/completed_at', message: 'should be a time, got "soon"' }],
      });
      expect(checkOrderChange([]).ok).toBe(false);
    });

    it('refuses an amount that is not exact decimal text, and times or failures that contradict the status', () => {
      for (const amount of ['99.9', '99', '-1.00', '1e3', '1234567890123.00', ' 1.00']) {
        expect(checkOrderChange({ ...completed, total_amount: amount }), amount).toEqual({
          ok: false,
          errors: [
            {
              path: '/total_amount',
              message: `should be decimal text with two places, got ${JSON.stringify(amount)}`,
            },
          ],
        });
      }
      expect(checkOrderChange({ ...completed, completed_at: null })).toEqual({
        ok: false,
        errors: [{ path: '/completed_at', message: 'is missing for a completed order' }],
      });
      expect(checkOrderChange({ ...processing, completed_at: completed.changed_at })).toEqual({
        ok: false,
        errors: [{ path: '/completed_at', message: 'should be null for a processing order' }],
      });
      expect(checkOrderChange({ ...failed, failure_code: null })).toEqual({
        ok: false,
        errors: [{ path: '/failure_code', message: 'is missing for a failed order' }],
      });
      expect(checkOrderChange({ ...completed, failure_code: 'x' })).toEqual({
        ok: false,
        errors: [{ path: '/failure_code', message: 'should be null unless failed' }],
      });
    });

    it('gives the sink the row: cents, epoch seconds, milliseconds of processing, empty values for null', () => {
      const kafka = { _topic: 't', _partition: 0, _offset: '7' };
      expect(orderChangesTable.toRow(processing, {} as never, position)).toEqual({
        order_id: processing.order_id,
        status: 'processing',
        previous_status: 'pending',
        user_id: 'user123',
        total_cents: 9999,
        warehouse_id: '',
        failure_code: '',
        created_at: Date.parse('2026-01-01T23:59:59Z') / 1000,
        changed_at: Date.parse('2026-01-02T00:00:00Z') / 1000,
        completed_at: 0,
        processing_ms: 0,
        ...kafka,
      });
      // Created 23:59:59.998765, completed 00:00:00.042001 of the next day: 44 ms between the
      // times read to the millisecond, truncated (.998 → 1.042; rounded, it would be 43), though
      // the seconds columns differ by one.
      expect(orderChangesTable.toRow(completed, {} as never, position)).toMatchObject({
        status: 'completed',
        previous_status: 'processing',
        created_at: Date.parse('2026-01-01T23:59:59Z') / 1000,
        completed_at: Date.parse('2026-01-02T00:00:00Z') / 1000,
        processing_ms: 44,
      });
      expect(orderChangesTable.toRow(failed, {} as never, position)).toMatchObject({
        status: 'failed',
        warehouse_id: failed.warehouse_id,
        failure_code: 'insufficient_stock',
        total_cents: 9999,
        processing_ms: 44,
      });
      expect(
        orderChangesTable.toRow(
          { ...completed, total_amount: '999999999999.99' },
          {} as never,
          position,
        ),
      ).toMatchObject({ total_cents: 99_999_999_999_999 });
      // Every column the insert sends is in the row, in the table's order.
      expect(Object.keys(orderChangesTable.toRow(completed, {} as never, position))).toEqual(
        orderChangesTable.columns,
      );
    });

    it('names a change by (order_id, status), and dead-letters a misfit with the reason', () => {
      const row = (c: OrderChange) => orderChangesTable.toRow(c, {} as never, position) as never;
      const ids = [processing, completed, failed].map((c) => orderChangesTable.identity(row(c)));
      expect(new Set(ids).size).toBe(3);
      // The same change delivered again (a later offset, a later relay) is the same identity.
      expect(
        orderChangesTable.identity(
          orderChangesTable.toRow(completed, {} as never, { ...position, offset: '99' }) as never,
        ),
      ).toBe(ids[1]);
      // The seen query's answer (its two columns) names it the same way.
      expect(
        orderChangesTable.identity({ order_id: completed.order_id, status: 'completed' }),
      ).toBe(ids[1]);
      expect(orderChangesTable.seenColumns).toEqual(['order_id', 'status']);
      expect(
        orderChangesTable.toRow({ ...completed, total_amount: '1.5' }, {} as never, position),
      ).toBe(
        'order change does not fit its contract: /total_amount should be decimal text with two places, got "1.5"',
      );
    });
  });
});
