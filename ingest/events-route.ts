import { Router } from 'express';
import type { Producer } from 'kafkajs';
import type { MovementEvent } from '../domain/movement-event.js';
import { validateMovementEvent } from '../domain/validate-movement.js';
import { DependencyUnavailableError, ValidationError, type FieldIssue } from '../lib/errors.js';
import type { ApiFeature } from '../lib/role.js';
import { sendAll } from '../lib/produce-chunked.js';
import type { MovementTopics } from '../lib/topics.js';
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
    const body: unknown = req.body;
    const items: unknown[] = Array.isArray(body) ? body : [body];
    const events: MovementEvent[] = [];
    const issues: FieldIssue[] = [];
    items.forEach((item, i) => {
      const result = validateMovementEvent(item);
      if (result.ok) events.push(result.event);
      else
        issues.push(
          ...result.errors.map((e) => ({
            ...e,
            path: Array.isArray(body) ? `/${i}${e.path}` : e.path,
          })),
        );
    });
    if (issues.length > 0) {
      throw new ValidationError(
        `${items.length - events.length} of ${items.length} events are invalid; none was accepted`,
        issues,
      );
    }
    const schemaId = deps.schemaId();
    try {
      await sendAll(deps.producer, [
        {
          topic: deps.topics.validated,
          messages: events.map((e) => validatedMessage(schemaId, e)),
        },
      ]);
    } catch (err) {
      throw new DependencyUnavailableError('kafka', 'could not write the events to Kafka; retry', {
        cause: err,
      });
    }
    res.status(202).json({ accepted: events.length });
  });
  return { openapi: eventsOpenApi, router };
}
