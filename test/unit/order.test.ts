import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatCents,
  parseCents,
  planReservation,
  priceOrder,
  validateOrder,
} from '../../domain/order.js';
import { settleOrders } from '../../domain/order-batch.js';
import { productId } from '../../domain/product-id.js';
import { orderAvroSchema, orderAvroType } from '../../domain/order-schema.js';
import { ordersStream } from '../../ingest/streams/orders.js';
import { PROJECT_ROOT } from '../../stack/paths.js';

const validate = (input: unknown) => validateOrder(input, productId);
const W1 = '11111111-1111-4111-8111-111111111111';
const W2 = '22222222-2222-4222-8222-222222222222';

describe('validateOrder', () => {
  it("takes the seed's body: each item id one unit, ids as strings or integers", () => {
    const a = validate({
      user_id: 'user123',
      item_ids: ['item1', 'item2', 'item1'],
      total_amount: 99.99,
    });
    expect(a).toEqual({
      ok: true,
      order: {
        user_id: 'user123',
        lines: [
          { product_id: 'item1', quantity: 2 },
          { product_id: 'item2', quantity: 1 },
        ],
        total_cents: 9999n,
        warehouse_id: null,
      },
    });
    const b = validate({ user_id: 1, item_ids: [101, 102], total_amount: 250 });
    expect(b.ok && b.order).toMatchObject({ user_id: '1', total_cents: 25000n });
  });

  it('takes items with quantities and a warehouse, a UUID product lowercased', () => {
    const r = validate({
      user_id: 'u',
      items: [{ product_id: '4705204F-498F-4F96-B4BA-DF17FB56BF55', quantity: 3 }],
      total_amount: '749.70',
      warehouse_id: W1.toUpperCase(),
    });
    expect(r.ok && r.order).toEqual({
      user_id: 'u',
      lines: [{ product_id: '4705204f-498f-4f96-b4ba-df17fb56bf55', quantity: 3 }],
      total_cents: 74970n,
      warehouse_id: W1,
    });
  });

  it('names every bad field', () => {
    const r = validate({
      user_id: '',
      items: [
        { product_id: 'a/b', quantity: 0 },
        { product_id: 'x', quantity: 1, colour: 1 },
      ],
      total_amount: 1.234,
      warehouse_id: 'nowhere',
      coupon: 'x',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.path).sort()).toEqual(
        [
          '/coupon',
          '/items/0/quantity',
          '/items/1/colour',
          '/total_amount',
          '/user_id',
          '/warehouse_id',
        ].sort(),
      );
    }
  });

  it('wants exactly one of item_ids and items, and an object', () => {
    expect(validate({ user_id: 'u', total_amount: 1 })).toMatchObject({ ok: false });
    expect(
      validate({
        user_id: 'u',
        item_ids: ['a'],
        items: [{ product_id: 'a', quantity: 1 }],
        total_amount: 1,
      }),
    ).toMatchObject({ ok: false });
    for (const bad of [null, [], 'x', 5]) expect(validate(bad).ok).toBe(false);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        const r = validate(x);
        if (!r.ok) expect(r.errors.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('money', () => {
  it('parses decimals of at most two places exactly and prints them back', () => {
    expect(parseCents('99.99')).toBe(9999n);
    expect(parseCents('0.1')).toBe(10n);
    expect(parseCents('250')).toBe(25000n);
    for (const bad of ['-1', '1.234', '1e3', '', '.5']) expect(parseCents(bad)).toBeUndefined();
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 14n - 1n }), (c) => {
        expect(parseCents(formatCents(c))).toBe(c);
      }),
    );
  });
});

describe('priceOrder', () => {
  const prices = new Map([
    ['item1', 7999n],
    ['item2', 2000n],
  ]);
  it('accepts the exact total, to the cent', () => {
    const lines = [
      { product_id: 'item1', quantity: 1 },
      { product_id: 'item2', quantity: 1 },
    ];
    expect(priceOrder(lines, 9999n, prices)).toEqual({ ok: true });
    expect(priceOrder(lines, 9998n, prices)).toMatchObject({
      ok: false,
      failure: { code: 'price_mismatch', expected: '99.99', got: '99.98' },
    });
  });
  it('names an unknown product', () => {
    expect(priceOrder([{ product_id: 'nope', quantity: 1 }], 0n, prices)).toMatchObject({
      ok: false,
      failure: { code: 'unknown_product', product_id: 'nope' },
    });
  });
});

describe('planReservation', () => {
  const levels = new Map([
    [
      'p',
      new Map([
        [W1, 5],
        [W2, 9],
      ]),
    ],
    ['q', new Map([[W1, 2]])],
  ]);
  it('takes from the warehouse holding the most, or the one the order names', () => {
    expect(planReservation([{ product_id: 'p', quantity: 6 }], null, levels)).toEqual({
      ok: true,
      takes: [{ warehouse_id: W2, product_id: 'p', quantity: 6 }],
    });
    expect(planReservation([{ product_id: 'p', quantity: 6 }], W1, levels)).toMatchObject({
      ok: false,
      failure: {
        code: 'insufficient_stock',
        product_id: 'p',
        needed: 6,
        available: 5,
        warehouse_id: W1,
      },
    });
  });
  it('fails the whole order on the first line it cannot serve', () => {
    const r = planReservation(
      [
        { product_id: 'p', quantity: 1 },
        { product_id: 'q', quantity: 3 },
      ],
      null,
      levels,
    );
    expect(r).toMatchObject({ ok: false, failure: { product_id: 'q', needed: 3, available: 2 } });
    expect(planReservation([{ product_id: 'none', quantity: 1 }], null, levels)).toMatchObject({
      ok: false,
      failure: { available: 0, warehouse_id: null },
    });
  });
  it('never plans more than a warehouse holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom(W1, W2), fc.nat(20))),
        fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 25 })), {
          selector: (t) => t[0],
          minLength: 1,
        }),
        (stock, order) => {
          const lv = new Map<string, Map<string, number>>();
          for (const [p, w, q] of stock)
            lv.set(p, (lv.get(p) ?? new Map<string, number>()).set(w, q));
          const r = planReservation(
            order.map(([product_id, quantity]) => ({ product_id, quantity })),
            null,
            lv,
          );
          if (r.ok) {
            for (const t of r.takes)
              expect(t.quantity).toBeLessThanOrEqual(
                lv.get(t.product_id)?.get(t.warehouse_id) ?? 0,
              );
          }
        },
      ),
    );
  });
});

describe('settleOrders', () => {
  const prices = new Map([
    ['p', 100n],
    ['q', 250n],
  ]);
  const stock = new Map([['p', new Map([[W1, 3]])]]);

  it('serves orders in turn: what one takes is gone for the next, and a failed one takes nothing', () => {
    const r = settleOrders(
      [
        {
          order_id: 'a',
          lines: [{ product_id: 'p', quantity: 2 }],
          total_cents: 200n,
          warehouse_id: null,
        },
        {
          order_id: 'b',
          lines: [{ product_id: 'p', quantity: 2 }],
          total_cents: 200n,
          warehouse_id: null,
        },
        {
          order_id: 'c',
          lines: [{ product_id: 'p', quantity: 1 }],
          total_cents: 999n,
          warehouse_id: null,
        },
        {
          order_id: 'd',
          lines: [{ product_id: 'p', quantity: 1 }],
          total_cents: 100n,
          warehouse_id: null,
        },
      ],
      prices,
      stock,
    );
    expect(r.orders.map((o) => [o.order_id, o.status])).toEqual([
      ['a', 'completed'],
      ['b', 'failed'],
      ['c', 'failed'],
      ['d', 'completed'],
    ]);
    expect(r.orders[1]).toMatchObject({
      failure: { code: 'insufficient_stock', needed: 2, available: 1 },
    });
    expect(r.orders[2]).toMatchObject({ failure: { code: 'price_mismatch' } });
    expect(r.changes).toEqual([
      { warehouse_id: W1, product_id: 'p', quantity: 2, delta: -2, balance: 1, order_id: 'a' },
      { warehouse_id: W1, product_id: 'p', quantity: 1, delta: -1, balance: 0, order_id: 'd' },
    ]);
    expect(r.levels.get('p')?.get(W1)).toBe(0);
    expect(stock.get('p')?.get(W1)).toBe(3);
  });

  it('never takes stock below zero, whatever the orders', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('p', 'q'), fc.integer({ min: 1, max: 4 })), {
          maxLength: 30,
        }),
        (lines) => {
          const s = new Map([
            [
              'p',
              new Map([
                [W1, 5],
                [W2, 2],
              ]),
            ],
            ['q', new Map([[W2, 3]])],
          ]);
          const r = settleOrders(
            lines.map(([product_id, quantity], i) => ({
              order_id: String(i),
              lines: [{ product_id, quantity }],
              total_cents: prices.get(product_id)! * BigInt(quantity),
              warehouse_id: null,
            })),
            prices,
            s,
          );
          for (const c of r.changes) expect(c.balance).toBeGreaterThanOrEqual(0);
          const taken = r.changes.reduce((n, c) => n - c.delta, 0);
          expect(taken).toBeLessThanOrEqual(10);
        },
      ),
    );
  });
});

describe('the orders stream', () => {
  it('is the schema upstream teams read in schemas/order.avsc', () => {
    const file = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'schemas', 'order.avsc'), 'utf8'),
    ) as unknown;
    expect(file).toEqual(orderAvroSchema);
  });

  it('encodes every order it accepts, in both shapes, and refuses malformed bytes with reasons', () => {
    for (const body of [
      { user_id: 'user123', item_ids: ['item1', 'item2'], total_amount: 99.99 },
      {
        user_id: 7,
        items: [{ product_id: 101, quantity: 3 }],
        total_amount: '375',
        warehouse_id: W1,
      },
    ]) {
      const r = ordersStream.parse(Buffer.from(JSON.stringify(body)));
      expect(r.ok).toBe(true);
      if (r.ok) expect(orderAvroType.fromBuffer(orderAvroType.toBuffer(r.value))).toEqual(r.value);
    }
    const bad = ordersStream.parse(Buffer.from('{"user_id": 1'));
    expect(bad.ok).toBe(false);
  });
});
