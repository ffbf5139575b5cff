import { describe, expect, it } from 'vitest';
import { type Sale, sec } from './dataset.js';
import { analyticsApi } from './fixture.js';
import { cents } from './reference.js';

describe('analytics API', () => {
  const { ch, get, json, saleRow } = analyticsApi();

  describe('caching', () => {
    const p = '/total_spent?start_date=2025-01-01&end_date=2025-01-31';

    it('sends a weak ETag per representation and answers 304 while nothing changed', async () => {
      const res = await get(p);
      const etag = res.headers.get('etag')!;
      expect(etag).toMatch(/^W\/"a[A-Za-z0-9_-]{27}"$/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      for (const ifNoneMatch of [etag, `W/"other", ${etag}`, '*']) {
        const again = await get(p, { 'If-None-Match': ifNoneMatch });
        expect(again.status, ifNoneMatch).toBe(304);
        expect(again.headers.get('etag')).toBe(etag);
        expect(await again.text()).toBe('');
      }
      const csv = await get(p, { Accept: 'text/csv' });
      expect(csv.headers.get('etag')).not.toBe(etag);
      expect((await get(p, { Accept: 'text/csv', 'If-None-Match': etag })).status).toBe(200);
      const other = await get('/total_spent?start_date=2025-01-01&end_date=2025-01-30');
      expect(other.headers.get('etag')).not.toBe(etag);
    });

    it('serves from the cache until new data arrives, then answers with it at once', async () => {
      const before = await get(p);
      const etag = before.headers.get('etag')!;
      const total = cents(((await before.json()) as { total_spent: number }).total_spent);

      // Rewrite a view behind the sink's back (no new offset): the cached answer stands.
      await ch.client.insert({
        table: `${ch.name}.sales_by_category_daily`,
        values: [
          {
            day: '2025-01-20',
            category: 'shoes',
            revenue_cents: 500,
            quantity: 1,
            lines: 1,
          },
        ],
        format: 'JSONEachRow',
      });
      expect(cents((await json<{ total_spent: number }>(p)).total_spent)).toBe(total);

      // One more sale through the raw table moves the watermark: the next answer has both.
      const sale: Sale = {
        order_id: 'O-late',
        product_id: 'P000',
        buyer_id: 'B0000',
        seller_id: 'S00',
        seller_country: 'DE',
        buyer_country: 'FR',
        paid_at: sec('2025-01-15T12:00:00Z'),
        category: 'shoes',
        revenue_cents: 12_345,
        quantity: 1,
      };
      await ch.client.insert({
        table: `${ch.name}.sales`,
        values: [saleRow(sale, 0)],
        format: 'JSONEachRow',
      });
      const after = await get(p, { 'If-None-Match': etag });
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).not.toBe(etag);
      expect(cents(((await after.json()) as { total_spent: number }).total_spent)).toBe(
        total + 12_345n + 500n,
      );
    });
  });
});
