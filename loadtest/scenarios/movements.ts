// GET /api/movements/{id} and GET /api/warehouses/{w}/products/{p}, mixed, some conditional,
// against a stockflow `api` process over a pipeline whose movements came through ingest and the
// processor (loadtest/bench/movement-events.ts, as the movements benchmark seeds them).
import { applyMovementEvents, eventsToProduce } from '../bench/movement-events.js';
import { servePipeline } from '../bench/serve-pipeline.js';
import type { HttpRequest } from '../engine/types.js';
import type { Scenario } from './scenario.js';

/** Raw events through the pipeline: ~10k movements between 20 warehouses, of 100 products. */
const EVENTS = 20_000;
/** Distinct resources asked for, each read once at start for its ETag. */
const RESOURCES = 1000;
/** One request in CONDITIONAL carries the ETag its resource first answered with: a 304. */
const CONDITIONAL = 3;

export const scenario: Scenario = {
  title: 'GET /api/movements/{id} and /api/warehouses/{w}/products/{p}',
  description: `The two movement reads in turn over ${RESOURCES} resources each (movements, and stock with its ledger's first page), one request in ${CONDITIONAL} with If-None-Match and the ETag of a first answer (a 304 counts as a success), against a stockflow api process; the data: 2,000 stock counts and ${EVENTS / 1000}k movement legs through ingest and the processor on an isolated pipeline.`,
  defaultSteps: [250, 500, 1000, 1500, 2000],
  async start(log) {
    const events = eventsToProduce(EVENTS);
    log(
      `seeding ${events.counts.length} counts and ${events.legs.length} legs through the pipeline`,
    );
    const served = await servePipeline({
      settings: { KAFKA_PARTITIONS: '3' },
      prepare: (p) => applyMovementEvents(p, [events.counts, events.legs]),
      processes: [{ args: ['api'] }],
    });
    try {
      const api = served.processes[0]!;
      const stock = events.warehouses.flatMap((w) =>
        events.products.map((p) => `/api/warehouses/${w}/products/${p}`),
      );
      const paths = events.movementIds
        .slice(0, RESOURCES)
        .flatMap((id, i) => [`/api/movements/${id}`, stock[i % stock.length]!]);
      log(`reading ${paths.length} resources once for their ETags`);
      const tags: string[] = [];
      for (const path of paths) {
        const r = await fetch(`${api.base}${path}`);
        await r.arrayBuffer();
        const tag = r.headers.get('etag');
        if (r.status !== 200 || !tag) throw new Error(`GET ${path} answered ${r.status}`);
        tags.push(tag);
      }
      return {
        origin: api.base,
        request(i): HttpRequest {
          const k = i % paths.length;
          return i % CONDITIONAL === 0
            ? { method: 'GET', path: paths[k]!, headers: { 'if-none-match': tags[k]! }, expect: 304 } // prettier-ignore
            : { method: 'GET', path: paths[k]! };
        },
        close: () => served.close(),
      };
    } catch (err) {
      await served.close();
      throw err;
    }
  },
};
