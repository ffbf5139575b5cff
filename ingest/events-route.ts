import { Router } from 'express';
import type { Producer } from 'kafkajs';
import { validateMovementEvent } from '../domain/validate-movement.js';
import type { ApiFeature } from '../lib/role.js';
import type { MovementTopics } from '../lib/kafka/topics.js';
import { acceptBatch, sendOrUnavailable } from './accept-batch.js';
import { eventsOpenApi } from './events-openapi.js';
import { validatedMessage } from './movement-codec.js';

export interface EventsDeps {
  readonly producer: Producer;
  readonly topics: MovementTopics;
  /** The registered movement schema's id (known once the API has started). */
  readonly schemaId: () => number;
}

/** POST /api/events: the HTTP door to the same validation and validated topic as the ingest role. */
export function eventsFeature(deps: EventsDeps): ApiFeature {
  const router = Router();
  router.post('/api/events', async (req, res) => {
    const events = acceptBatch(req.body, validateMovementEvent, 'events').map((r) => r.event);
    const schemaId = deps.schemaId();
    await sendOrUnavailable(
      deps.producer,
      [
        {
          topic: deps.topics.validated,
          messages: events.map((e) => validatedMessage(schemaId, e)),
        },
      ],
      'events',
    );
    res.status(202).json({ accepted: events.length });
  });
  return { openapi: eventsOpenApi, router };
}
