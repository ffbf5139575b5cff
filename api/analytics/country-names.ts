import type { Pool } from '../../lib/postgres/pool.js';

// Country names and continents from the imported `countries` reference table in Postgres
// (ClickHouse 18.16 has no way to reach it here), for the countries an answer names. serve.ts
// says why this is read on every request, after the answer cache.

export interface CountryName {
  readonly country_id: string;
  readonly name: string;
  readonly continent: string | null;
}

/** The reference rows of these countries, by id; countries no import named are absent. */
export async function countryNames(pool: Pool, ids: readonly string[]): Promise<CountryName[]> {
  if (ids.length === 0) return [];
  const result = await pool.query<CountryName>(
    `SELECT country_id, name, continent FROM countries
      WHERE country_id = ANY($1::text[]) ORDER BY country_id`,
    [[...new Set(ids)]],
  );
  return result.rows;
}

/** What an answer shows of a country: its name and continent, `null`s where not known. */
export function namesOf(
  found: readonly CountryName[],
): (id: string) => { name: string | null; continent: string | null } {
  const byId = new Map(found.map((c) => [c.country_id, c]));
  return (id) => {
    const c = byId.get(id);
    return { name: c?.name ?? null, continent: c?.continent ?? null };
  };
}
