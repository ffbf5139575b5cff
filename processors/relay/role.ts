import { producerService } from '../../lib/kafka/services.js';
import { outboxMetrics, processorMetrics } from '../metrics.js';
import type { RoleParts } from '../../lib/role.js';
import type { Runtime } from '../../lib/runtime.js';
import { outboxRelay } from './outbox-relay.js';

/**
 * The outbox → the movement and stock change topics. Its own role, so its
 * Kafka encoding does not share an event loop with the processor's
 * transactions; one relay publishes at a time however many run.
 */
export function createRole(rt: Runtime): Promise<RoleParts> {
  const producer = producerService(rt.kafka, 'relay-producer');
  outboxMetrics(rt.metrics, rt.pool, rt.logger);
  const relay = outboxRelay({
    pool: rt.pool,
    producer: producer.producer,
    logger: rt.logger,
    metrics: processorMetrics(rt.metrics),
    listenUrl: rt.config.databaseUrl,
  });
  // Stopped in reverse: the relay publishes what is committed, then the producer closes.
  return Promise.resolve({
    services: [producer, relay],
    features: [],
    dependencies: ['postgres', 'kafka'],
  });
}
