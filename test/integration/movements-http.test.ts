import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { movementsFeature } from '../../api/movements/routes.js';
import { movementEvent, SEED, uuidOf } from '../../testkit/movement-events.js';
import { createPipeline, eventually, type Pipeline } from '../../testkit/pipeline-harness.js';
import { serveFeatures, type ServedApp } from '../../testkit/serve-features.js';

// What a newcomer does: a stock count and the seed's two legs go in (over
// HTTP here, over the raw topic in movements-pipeline.test.ts), and the
// movement and both stocks come out of the API.
describe('movements over HTTP: POST /api/events in, GET the movement and stocks out', () => {
  let p: Pipeline;
  let app: ServedApp;
  let base: string;

  beforeAll(async () => {
    p = await createPipeline();
    // The ingest role's own POST /api/events, as a process running it serves it.
    const ingest = await p.startRole('ingest');
    await p.startRole('process');
    app = await serveFeatures([movementsFeature({ pool: p.runtime.pool }), ...ingest.features]);
    base = app.url;
  });
  afterAll(async () => {
    await app.close();
    await p.close();
  });

  const post = (body: unknown) =>
    fetch(`${base}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('accepts a count and both legs, then serves the movement and both stocks', async () => {
    const count = movementEvent('inventory', {
      id: 'count-1',
      movement: uuidOf(1, 1),
      quantity: 120,
    });
    const accepted = await post([
      count,
      movementEvent('departure'),
      movementEvent('arrival', { quantity: 98 }),
    ]);
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ accepted: 3 });

    const movement = await eventually(async () => {
      const res = await fetch(`${base}/api/movements/${SEED.movementId}`);
      const body = res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
      return body?.status === 'completed' ? body : undefined;
    });
    expect(movement).toMatchObject({
      sender: { warehouse_id: SEED.sender, source: 'WH-3322', quantity: 100, state: 'applied' },
      receiver: { warehouse_id: SEED.receiver, source: 'WH-3423', quantity: 98 },
      transit_seconds: 8520,
      transit_duration: 'PT2H22M',
      quantity_difference: -2,
      anomalies: [],
    });
    const sender = await fetch(`${base}/api/warehouses/${SEED.sender}/products/${SEED.product}`);
    expect(await sender.json()).toMatchObject({ quantity: 20 });
    const receiver = await fetch(
      `${base}/api/warehouses/${SEED.receiver}/products/${SEED.product}`,
    );
    expect(await receiver.json()).toMatchObject({ quantity: 98 });
  });

  it('rejects a batch with any invalid event, naming every bad field by index, and accepts nothing', async () => {
    const good = movementEvent('departure', { movement: uuidOf(9, 1) });
    const bad = {
      ...movementEvent('arrival', { movement: uuidOf(9, 1) }),
      subject: 'WH-3423:DEPARTURE',
    };
    const res = await post([good, bad]);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await res.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toContain('/1/subject');
    expect((await fetch(`${base}/api/movements/${uuidOf(9, 1)}`)).status).toBe(404);
  });

  it('rejects malformed JSON with a 400 problem', async () => {
    const res = await fetch(`${base}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('MALFORMED_BODY');
  });
});
