import { clickHouseEndpoint } from '../../lib/clickhouse/client.js';
import type { Sql } from '../../lib/clickhouse/sql.js';

// @clickhouse/client has no way to attach "external data" (a table sent with
// the query, https://clickhouse.com/docs/en/engines/table-engines/special/external-data),
// which 18.16's HTTP interface takes as a multipart file. It is how a long list
// of values reaches a query without becoming SQL text: 25,000 ids as an array
// literal cost ClickHouse 55–70 ms to parse and look up, as a file about 20.

export interface ExternalTable {
  /** The name the query reads it by. */
  readonly name: string;
  /** Its columns, as ClickHouse writes them: `id String, version UInt32`. */
  readonly structure: string;
  /** Its rows, TabSeparated. */
  readonly data: Buffer;
}

/** Runs a SELECT that reads `table`; returns its rows (JSONEachRow: 64-bit integers as strings). */
export async function selectWithExternalTable<T>(
  url: string,
  query: Sql,
  table: ExternalTable,
  timeoutMs = 30_000,
): Promise<T[]> {
  const { url: u, username, password } = clickHouseEndpoint(url);
  u.searchParams.set('query', `${query.text} FORMAT JSONEachRow`);
  u.searchParams.set(`${table.name}_structure`, table.structure);
  const form = new FormData();
  form.append(table.name, new Blob([table.data]), table.name);
  let res: Response;
  try {
    res = await fetch(u, {
      method: 'POST',
      body: form,
      headers: {
        authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    // fetch says only "fetch failed"; the cause's code (ECONNREFUSED, ...) tells what happened.
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    throw new Error(`ClickHouse request failed: ${typeof code === 'string' ? code : String(err)}`, {
      cause: err,
    });
  }
  const body = await res.text();
  if (!res.ok) throw new Error(`ClickHouse: ${body.trim()}`);
  return body
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}
