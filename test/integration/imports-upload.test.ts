// POST /imports with a CSV body: the upload is streamed to the inbox and
// imported from there, in a stockflow process of its own whose heap is far
// smaller than the largest upload, so buffering the body would kill it.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../testkit/pipeline-harness.js';
import { createTestDatabase, randomName } from '../../testkit/resources.js';
import {
  runStockflow,
  serveStockflow,
  stopChild,
  type ServingStockflow,
} from '../../testkit/stockflow-process.js';

const HEAP_MB = 64;

describe('uploading a CSV to POST /imports', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let inbox: string;
  let app: ServingStockflow | undefined;
  const uploads = () => readdirSync(path.join(inbox, 'uploads'));
  // duplex: a streamed request body (Node's fetch needs it; the DOM types lack it).
  const upload = (query: string, body: string | ReadableStream<Uint8Array>) =>
    fetch(`${app!.base}/imports?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body,
      ...{ duplex: 'half' },
    });
  const settled = (location: string) =>
    eventually(
      async () => {
        const r = (await (await fetch(`${app!.base}${location}`)).json()) as {
          status: string;
        };
        return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
      },
      60_000,
      `${location} to finish`,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    inbox = mkdtempSync(path.join(tmpdir(), 'stockflow-upload-'));
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
    expect(runStockflow(['main.ts', 'migrate'], env).status).toBe(0);
    const topic = randomName('upload');
    app = await serveStockflow(
      ['ingest'],
      {
        ...env,
        IMPORT_INBOX_DIR: inbox,
        KAFKA_TOPIC: `${topic}.movements`,
        KAFKA_SALES_TOPIC: `${topic}.sales`,
        KAFKA_GROUP_ID: topic,
      },
      [`--max-old-space-size=${HEAP_MB}`],
    );
  }, 120_000);

  afterAll(async () => {
    if (app) await stopChild(app.child, 'SIGTERM');
    rmSync(inbox, { recursive: true, force: true });
    await db?.drop();
  });

  it('imports an uploaded file, answers an upload of the same file with that import, and removes both uploads', async () => {
    const csv =
      'ID_COUNTRY,COUNTRY_NAME,CONTINENT\r\n203,Czechia,Europe\r\n170,Colombia,South America\r\n999,,Atlantis\r\n';
    const first = await upload('kind=countries&file_name=countries-2026.csv', csv);
    expect(first.status).toBe(202);
    const location = first.headers.get('location')!;
    expect(location).toMatch(/^\/imports\/\d+$/);
    expect(await first.json()).toMatchObject({
      kind: 'countries',
      file_name: 'countries-2026.csv',
      bytes_total: Buffer.byteLength(csv),
    });
    expect(await settled(location)).toMatchObject({
      status: 'succeeded',
      rows: { read: 3, imported: 2, failed: 1, duplicate: 0 },
    });
    const again = await upload('kind=countries', csv);
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(location);
    const forced = await upload('kind=countries&force=true', csv);
    expect(forced.status).toBe(202);
    expect(await forced.json()).toMatchObject({ forced: true });
    expect(await settled(forced.headers.get('location')!)).toMatchObject({ status: 'succeeded' });
    await eventually(
      () => Promise.resolve(uploads().length === 0 ? true : undefined),
      10_000,
      'uploads removed',
    );
  });

  it('refuses an upload without a kind, or of an unknown kind, with the reason', async () => {
    const none = await upload('', 'a,b\n1,2\n');
    expect(none.status).toBe(400);
    expect(((await none.json()) as { detail: string }).detail).toMatch(/names its kind/);
    const planets = await upload('kind=planets', 'a,b\n1,2\n');
    expect(planets.status).toBe(400);
    expect(JSON.stringify(await planets.json())).toMatch(/kind/);
    const xml = await fetch(`${app!.base}/imports?kind=countries`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<countries/>',
    });
    expect(xml.status).toBe(415);
  });

  it(`streams an upload four times larger than the process's ${HEAP_MB} MB heap to disk`, async () => {
    const line = 'x'.repeat(1023) + '\n';
    const chunk = new TextEncoder().encode(line.repeat(1024)); // 1 MiB
    const megabytes = HEAP_MB * 4;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('not,the,countries,header\n'));
        if (sent++ < megabytes) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await upload('kind=countries&file_name=huge.csv', body);
    expect(res.status).toBe(202);
    const total = 25 + megabytes * chunk.byteLength;
    expect(await res.json()).toMatchObject({ bytes_total: total });
    const done = (await settled(res.headers.get('location')!)) as { status: string; error: string };
    // The header is wrong on purpose, so the whole file was stored and then refused at once.
    expect(done).toMatchObject({ status: 'failed', bytes_total: total });
    expect(done.error).toMatch(/COUNTRY_NAME/);
    expect(app!.child.exitCode).toBeNull();
    await eventually(
      () => Promise.resolve(uploads().length === 0 ? true : undefined),
      10_000,
      'upload removed',
    );
  });
});
