import { describe, expect, it } from 'vitest';
import { WAREHOUSES, STOCK_PRODUCTS } from './dataset.js';
import { analyticsApi } from './fixture.js';
import { cmp, group } from './reference.js';

describe('analytics API', () => {
  const { movements, json } = analyticsApi();

  describe('GET /analytics/in-transit', () => {
    const expected = (only: { warehouse?: string; product?: string } = {}) => {
      const latest = [...group(movements, (m) => m.movement_id)].map(
        ([, ms]) => ms.sort((a, b) => b.version - a.version)[0]!,
      );
      const moving = latest.filter(
        (m) =>
          m.status === 'in_transit' &&
          (only.warehouse === undefined || m.sender_warehouse_id === only.warehouse) &&
          (only.product === undefined || m.product_id === only.product),
      );
      return [...group(moving, (m) => `${m.sender_warehouse_id}|${m.product_id}`)]
        .map(([key, ms]) => {
          const [sender_warehouse_id = '', product_id = ''] = key.split('|');
          return {
            sender_warehouse_id,
            product_id,
            quantity: ms.reduce((s, m) => s + m.departure_quantity, 0),
            movements: ms.length,
          };
        })
        .sort(
          (a, b) =>
            b.quantity - a.quantity ||
            cmp(a.sender_warehouse_id, b.sender_warehouse_id) ||
            cmp(a.product_id, b.product_id),
        );
    };

    it('lists what departed and has not arrived, per sender and product', async () => {
      const body = await json<{ in_transit: unknown[] }>('/analytics/in-transit');
      expect(body.in_transit.length).toBeGreaterThan(0);
      expect(body.in_transit).toEqual(expected());
      const w = WAREHOUSES[2]!;
      const p = STOCK_PRODUCTS[0]!;
      expect(
        (await json<{ in_transit: unknown[] }>(`/analytics/in-transit?warehouse_id=${w}`))
          .in_transit,
      ).toEqual(expected({ warehouse: w }));
      expect(
        (
          await json<{ in_transit: unknown[] }>(
            `/analytics/in-transit?warehouse_id=${w}&product_id=${p}`,
          )
        ).in_transit,
      ).toEqual(expected({ warehouse: w, product: p }));
    });
  });
});
