import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { selectWithExternalTable } from '../../processors/sink/external-table.js';
import { sql } from '../../lib/clickhouse/sql.js';
import { loadConfig } from '../../lib/config.js';
import { tsvRows } from '../../processors/sink/tsv.js';

const { clickhouseUrl } = loadConfig();

describe('selectWithExternalTable', () => {
  it('hands every value to the query unchanged, however hostile', async () => {
    const values = ["it's", 'tab\there', 'line\nbreak', 'back\\slash', '\r\0', '✓ ünï', "'); DROP"];
    const rows = values.map((id, version) => ({ id, version }));
    const got = await selectWithExternalTable<{ id: string; version: number }>(
      clickhouseUrl,
      sql`SELECT id, version FROM batch ORDER BY version`,
      {
        name: 'batch',
        structure: 'id String, version UInt32',
        data: tsvRows({ columns: ['id', 'version'], dateTimeColumns: [] }, rows),
      },
    );
    expect(got).toEqual(rows);
  });

  it('reports what ClickHouse said when the query fails', async () => {
    await expect(
      selectWithExternalTable(clickhouseUrl, sql`SELECT nope FROM batch`, {
        name: 'batch',
        structure: 'id String',
        data: Buffer.from('a\n'),
      }),
    ).rejects.toThrow(/ClickHouse: .*nope/);
  });

  it('names the network error when ClickHouse is unreachable', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    await expect(
      selectWithExternalTable(`http://127.0.0.1:${port}`, sql`SELECT 1`, {
        name: 'batch',
        structure: 'id String',
        data: Buffer.from(''),
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
