import { describe, expect, it } from 'vitest';
import { priceOrder, validateOrder } from '../../domain/order.js';
import { productId } from '../../domain/product-id.js';
import { BENCH_CATALOG, orderBody } from '../../loadtest/bench/order-bodies.js';

describe('bench order bodies', () => {
  const unitCents = new Map(BENCH_CATALOG.map((p) => [p.id, BigInt(p.cents)]));

  it('are orders that would complete: valid, and priced to the cent against the bench catalog', () => {
    const shapes = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const body = JSON.parse(JSON.stringify(orderBody(i))) as Record<string, unknown>;
      shapes.add(body.items ? 'items' : 'item_ids');
      const checked = validateOrder(body, productId);
      if (!checked.ok) throw new Error(`body ${i}: ${JSON.stringify(checked.errors)}`);
      expect(priceOrder(checked.order.lines, checked.order.total_cents, unitCents)).toEqual({
        ok: true,
      });
    }
    expect(shapes).toEqual(new Set(['items', 'item_ids']));
  });

  it('body 0 is bench:orders’ one order', () => {
    expect(orderBody(0)).toEqual({ user_id: 'bench', item_ids: ['bench'], total_amount: 1 });
  });
});
