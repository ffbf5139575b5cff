// POST /ingest: seed 003 sale lines, one a request, against a stockflow ingest process on an
// isolated pipeline; the lines are the analytics benchmark's (loadtest/bench/data.ts).
import { SalesGenerator, toSaleRequest } from '../bench/data.js';
import { ingestPostScenario } from './ingest-post.js';

const lines = new SalesGenerator(1000);

export const scenario = ingestPostScenario({
  title: 'POST /ingest',
  description:
    "POST /ingest (seed 003 sale lines, the analytics benchmark's generated ones, one line a request) against a stockflow process running ingest on an isolated pipeline; a 202 means the line is validated and durable on the validated sales topic. No sink runs.",
  defaultSteps: [250, 500, 1000, 1500, 2000, 3000],
  path: '/ingest',
  item: () => toSaleRequest(lines.next()),
  topic: (p) => p.sales.validated,
  counted: 'sale lines on the validated topic',
});
