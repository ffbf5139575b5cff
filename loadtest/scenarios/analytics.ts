// The analytics endpoints, mixed, with the analytics benchmark's ranges (a day to a year, instants,
// open ends), against a stockflow `api` process over a sales data set loaded straight into the
// raw tables as the benchmark loads it (loadtest/bench/load.ts), smaller so it loads in seconds.
import { endpointCases } from '../bench/endpoints.js';
import { catchUpAsSink, loadDataset } from '../bench/load.js';
import { servePipeline } from '../bench/serve-pipeline.js';
import { seededRandom } from '../../testkit/random.js';
import type { Scenario } from './scenario.js';

const SALE_LINES = 200_000;
/** Distinct requests per endpoint, sent in turn. */
const PER_ENDPOINT = 100;

export const scenario: Scenario = {
  title: 'GET analytics endpoints',
  description: `Every analytics endpoint (/total_spent, /top_products, /top_suppliers, /feedback, /analytics/*) in turn, ${PER_ENDPOINT} ranges each from a day to a year, against a stockflow api process with the answer cache off (CACHE_TTL=0: every request reaches ClickHouse), over ${SALE_LINES / 1000}k sale lines, 300k stock changes and 100k movements loaded into the raw tables.`,
  defaultSteps: [10, 20, 40, 80, 160],
  async start(log) {
    const served = await servePipeline({
      env: { CACHE_TTL: '0' },
      async prepare(p) {
        const database = p.config.clickhouseDatabase;
        await loadDataset(p.runtime.clickhouse, database, SALE_LINES);
        const { clickhouse, pool, logger } = p.runtime;
        await catchUpAsSink({ clickhouse, clickhouseUrl: p.config.clickhouseUrl, database, pool, logger }); // prettier-ignore
      },
      processes: [{ args: ['api'] }],
    });
    const rand = seededRandom(11);
    const cases = endpointCases(served.pipeline.config.clickhouseDatabase);
    // Interleaved, so every step asks every endpoint.
    const paths = Array.from({ length: PER_ENDPOINT }, (_, i) =>
      cases.map((c) => c.probe(rand, i).path),
    ).flat();
    log(`${cases.length} endpoints, ${paths.length} distinct requests`);
    return {
      origin: served.processes[0]!.base,
      request: (i) => ({ method: 'GET', path: paths[i % paths.length]! }),
      close: () => served.close(),
    };
  },
};
