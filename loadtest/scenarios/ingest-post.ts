// What the `events` and `ingest` scenarios share: JSON bodies POSTed to one of ingest's stream
// endpoints on a stockflow ingest process, each 202 a message on the stream's validated topic.
import { servePipeline } from '../bench/serve-pipeline.js';
import type { Pipeline } from '../../testkit/pipeline-harness.js';
import type { Scenario } from './scenario.js';

/** Distinct bodies sent in turn, made once: the sender spends its time sending. */
const BODIES = 1000;

export interface IngestPost {
  readonly title: string;
  readonly description: string;
  readonly defaultSteps: readonly number[];
  readonly path: string;
  /** The i-th body's one item. */
  readonly item: (i: number) => unknown;
  /** The topic each accepted item lands on. */
  readonly topic: (p: Pipeline) => string;
  /** What the run's count is called, e.g. "events on the validated topic". */
  readonly counted: string;
}

export function ingestPostScenario(s: IngestPost): Scenario {
  return {
    title: s.title,
    description: s.description,
    defaultSteps: s.defaultSteps,
    async start(log) {
      log('starting an isolated pipeline and stockflow ingest');
      const served = await servePipeline({
        settings: { KAFKA_PARTITIONS: '3' },
        processes: [{ args: ['ingest'] }],
      });
      const bodies = Array.from({ length: BODIES }, (_, i) => JSON.stringify(s.item(i)));
      const headers = { 'content-type': 'application/json' };
      const topic = s.topic(served.pipeline);
      return {
        origin: served.processes[0]!.base,
        request: (i) => ({ method: 'POST', path: s.path, headers, body: bodies[i % BODIES]! }),
        recorded: async () => ({ what: s.counted, count: await served.messages(topic) }),
        close: () => served.close(),
      };
    },
  };
}
