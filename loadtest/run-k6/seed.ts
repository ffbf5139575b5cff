// Seeds the target through its raw topic: stock counts, then movements with both legs.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createKafka } from '../../lib/kafka/client.js';
import { sendAll } from '../../lib/kafka/produce-chunked.js';
import { movementEvent } from '../../testkit/movement-events.js';
import { say } from './log.js';
import type { Target } from './target.js';

export interface Ids {
  readonly movements: string[];
  readonly stock: { warehouse_id: string; product_id: string }[];
}

/** Runs `check` on every item (a few at a time) until all pass or the time is up. */
async function waitForAll<T>(items: T[], check: (x: T) => Promise<boolean>, what: string) {
  let pending = items;
  const deadline = Date.now() + 180_000;
  while (pending.length > 0) {
    if (Date.now() > deadline)
      throw new Error(`${pending.length} of ${items.length} ${what} never became visible in the API
(is the stockflow at --api consuming the raw topic from this config?)`);
    const still: T[] = [];
    for (let i = 0; i < pending.length; i += 32) {
      const slice = pending.slice(i, i + 32);
      const ok = await Promise.all(slice.map((x) => check(x).catch(() => false)));
      slice.forEach((x, j) => ok[j] || still.push(x));
    }
    pending = still;
    if (pending.length > 0) await sleep(500);
  }
}

/** Stock counts first (and waits for them), then movements with both legs; returns their ids. */
export async function seed(target: Target, movements: number): Promise<Ids> {
  const producer = createKafka({
    brokers: target.brokers,
    clientId: 'loadtest-seed',
    logger: pino({ level: 'error' }),
  }).producer();
  await producer.connect();
  const send = (events: object[]) =>
    sendAll(producer, [
      {
        topic: target.rawTopic,
        messages: events.map((e) => ({ key: null, value: JSON.stringify(e) })),
      },
    ]);
  const warehouses = Array.from({ length: 20 }, () => randomUUID());
  const products = Array.from({ length: 50 }, () => randomUUID());
  const stock = warehouses.flatMap((w) =>
    products.map((p) => ({ warehouse_id: w, product_id: p })),
  );
  say(`seeding ${stock.length} stock counts, then ${movements} movements`);
  await send(
    stock.map((s) =>
      movementEvent('inventory', {
        id: randomUUID(),
        movement: randomUUID(),
        warehouse: s.warehouse_id,
        product: s.product_id,
        quantity: 1_000_000,
      }),
    ),
  );
  await waitForAll(
    stock,
    async (s) =>
      (await fetch(`${target.url}/api/warehouses/${s.warehouse_id}/products/${s.product_id}`))
        .status === 200,
    'stock counts',
  );
  const ids = Array.from({ length: movements }, () => randomUUID());
  await send(
    ids.flatMap((movement, i) => {
      const from = warehouses[i % warehouses.length]!;
      const to = warehouses[(i + 1) % warehouses.length]!;
      const product = products[i % products.length]!;
      const quantity = 1 + (i % 20);
      return [
        movementEvent('departure', {
          id: `d-${movement}`,
          movement,
          warehouse: from,
          product,
          quantity,
        }),
        movementEvent('arrival', {
          id: `a-${movement}`,
          movement,
          warehouse: to,
          product,
          quantity,
        }),
      ];
    }),
  );
  await waitForAll(
    ids,
    async (id) => {
      const res = await fetch(`${target.url}/api/movements/${id}`);
      return res.ok && ((await res.json()) as { status: string }).status === 'completed';
    },
    'movements',
  );
  await producer.disconnect();
  return { movements: ids, stock };
}
