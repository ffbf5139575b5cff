// POST /api/events: seed 001 CloudEvents movement JSON, one event a request, against a stockflow
// ingest process on an isolated pipeline.
import { movementEvent, uuidOf } from '../../testkit/movement-events.js';
import { ingestPostScenario } from './ingest-post.js';

export const scenario = ingestPostScenario({
  title: 'POST /api/events',
  description:
    'POST /api/events (seed 001 CloudEvents movement JSON, departures and arrivals of 1,000 movements, one event a request) against a stockflow process running ingest on an isolated pipeline; a 202 means the event is validated and durable on the validated topic. No processor runs.',
  defaultSteps: [250, 500, 1000, 1500, 2000, 3000],
  path: '/api/events',
  item: (i) =>
    movementEvent(i % 2 === 0 ? 'departure' : 'arrival', {
      id: uuidOf(0xe1, i),
      movement: uuidOf(0xe2, i >> 1),
      quantity: 1 + (i % 25),
    }),
  topic: (p) => p.topics.validated,
  counted: 'events on the validated topic',
});
