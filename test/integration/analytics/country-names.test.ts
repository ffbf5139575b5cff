import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importReferenceFile } from '../../../ingest/imports/reference-import.js';
import { randomName, testLogger } from '../../../testkit/resources.js';
import { parseCsv } from './csv.js';
import { sec, type Sale } from './dataset.js';
import { analyticsApi } from './fixture.js';

// Country answers name their countries from the countries reference data in Postgres: three
// countries of random ids sell to each other on a day the data set leaves empty; two are in the
// reference table (one without a continent), one is not. A rename by a countries import shows on
// the next request with a new ETag, though no sale arrived (the watermark did not move) and the
// answer cache (60 s, the default) still holds the ClickHouse part.

describe('analytics API', () => {
  const { ch, get, json, saleRow, postgres } = analyticsApi();
  const id = randomName('country');
  const [a, b, c] = [`${id}-a`, `${id}-b`, `${id}-c`]; // in byte order, as ClickHouse sorts
  const DAY = 'start_date=2030-06-01&end_date=2030-06-01';
  let dir: string;

  const sale = (n: number, seller: string, buyer: string, revenue_cents: number): Sale => ({
    order_id: `${id}-o${n}`,
    product_id: 'P000',
    buyer_id: 'B0000',
    seller_id: 'S00',
    seller_country: seller,
    buyer_country: buyer,
    paid_at: sec('2030-06-01T12:00:00Z'),
    category: 'shoes',
    revenue_cents,
    quantity: 1,
  });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stockflow-country-names-'));
    await ch.client.insert({
      table: `${ch.name}.sales`,
      values: [sale(1, a, b, 30_000), sale(2, b, c, 20_000), sale(3, c, a, 10_000)].map(saleRow),
      format: 'JSONEachRow',
    });
    await postgres().query(
      `INSERT INTO countries (country_id, name, continent)
       VALUES ($1, 'Aland', 'Europe'), ($2, 'Beland', NULL)`,
      [a, b],
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  type Named = { country: string; country_name: string | null; continent: string | null };
  const names = async (query: string) =>
    (await json<{ countries: Named[] }>(`/analytics/countries?${query}`)).countries.map((x) => ({
      country: x.country,
      country_name: x.country_name,
      continent: x.continent,
    }));

  describe('GET /analytics/countries with reference data', () => {
    it('names the countries the reference data has, and gives nulls for the others', async () => {
      expect(await names(DAY)).toEqual([
        { country: a, country_name: 'Aland', continent: 'Europe' },
        { country: b, country_name: 'Beland', continent: null },
        { country: c, country_name: null, continent: null },
      ]);
      expect((await names(`${DAY}&by=buyer`)).map((x) => x.country_name)).toEqual([
        'Beland',
        null,
        'Aland',
      ]);
      const csv = parseCsv(await (await get(`/analytics/countries?${DAY}`, { Accept: 'text/csv' })).text()); // prettier-ignore
      expect(csv.map((row) => row.slice(-2))).toEqual([
        ['country_name', 'continent'],
        ['Aland', 'Europe'],
        ['Beland', ''],
        ['', ''],
      ]);
    });

    it('names both countries of the top pair', async () => {
      expect(await json(`/analytics/countries/top-pair?${DAY}`)).toEqual({
        country_a: a,
        country_a_name: 'Aland',
        country_a_continent: 'Europe',
        country_b: b,
        country_b_name: 'Beland',
        country_b_continent: null,
        revenue: 300,
      });
    });

    it('shows a rename by a countries import at once, with a new ETag, no sale needed', async () => {
      const p = `/analytics/countries?${DAY}`;
      const before = await get(p);
      expect(before.status).toBe(200);
      const etag = before.headers.get('etag')!;
      expect((await get(p, { 'If-None-Match': etag })).status).toBe(304);

      const file = path.join(dir, 'countries.csv');
      writeFileSync(
        file,
        `ID_COUNTRY,COUNTRY_NAME,CONTINENT\n${a},Aland Islands,Europe\n${c},Celand,Asia\n`,
      );
      const { import: done } = await importReferenceFile(
        { pool: postgres(), logger: testLogger },
        { kind: 'countries', path: file },
      );
      expect(done).toMatchObject({ status: 'succeeded', rows_imported: 2, rows_failed: 0 });

      const after = await get(p, { 'If-None-Match': etag });
      expect(after.status).toBe(200);
      const renamed = after.headers.get('etag')!;
      expect(renamed).not.toBe(etag);
      expect(await names(DAY)).toEqual([
        { country: a, country_name: 'Aland Islands', continent: 'Europe' },
        { country: b, country_name: 'Beland', continent: null },
        { country: c, country_name: 'Celand', continent: 'Asia' },
      ]);
      expect((await get(p, { 'If-None-Match': renamed })).status).toBe(304);
      expect(await json(`/analytics/countries/top-pair?${DAY}`)).toMatchObject({
        country_a_name: 'Aland Islands',
      });
    });
  });
});
