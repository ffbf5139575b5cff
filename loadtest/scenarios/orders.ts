// POST /orders against a stockflow process running ingest (and another the relay) on an isolated pipeline, with a
// catalog and stock that make every order it sends one that would complete (loadtest/bench/).
import { orderBody } from '../bench/order-bodies.js';
import { startOrdersIntake } from '../bench/orders-intake.js';
import type { Scenario } from './scenario.js';

/** Distinct bodies sent in turn, made once: the sender spends its time sending. */
const BODIES = 1000;

export const scenario: Scenario = {
  title: 'POST /orders',
  description:
    'POST /orders (seed 004 order bodies, both shapes, 1 to 3 products priced to the cent) against a stockflow process running ingest, with the relay (the outbox to Kafka) in another, on an isolated pipeline; no orders worker runs, so what is measured is taking an order, durable in Postgres before its 202.',
  async start(log) {
    log('starting an isolated pipeline, stockflow ingest and relay');
    const bench = await startOrdersIntake();
    const bodies = Array.from({ length: BODIES }, (_, i) => JSON.stringify(orderBody(i)));
    const headers = { 'content-type': 'application/json' };
    return {
      origin: bench.intake.base,
      request: (i) => ({ method: 'POST', path: '/orders', headers, body: bodies[i % BODIES]! }),
      recorded: async () => ({ what: 'orders stored', count: await bench.orders() }),
      close: () => bench.close(),
    };
  },
};
