import { validateOrder, type OrderValidation } from '../../domain/order.js';
import {
  orderAvroSchema,
  orderAvroType,
  toValidatedOrder,
  type ValidatedOrder,
} from '../../domain/order-schema.js';
import { productId } from '../../domain/product-id.js';
import { decodeJson } from '../../domain/validation-helpers.js';
import { streamTopics, type Parsed, type StreamDescriptor } from '../stream.js';

function checked(result: OrderValidation): Parsed<ValidatedOrder> {
  return result.ok ? { ok: true, value: toValidatedOrder(result.order) } : result;
}

/**
 * Orders (seed 004) from upstream systems with Kafka: JSON on `KAFKA_ORDERS_TOPIC`,
 * checked as POST /orders checks them. Over HTTP they go through the intake
 * (ingest/orders/), which needs an answer with the stored order, not this stream.
 */
export const ordersStream: StreamDescriptor<ValidatedOrder> = {
  name: 'orders',
  plural: 'orders',
  consumer: 'ingest-orders',
  topics: (config) => streamTopics(config.kafkaOrdersTopic),
  avroSchema: orderAvroSchema,
  avroType: orderAvroType,
  parse: (bytes) => {
    const json = decodeJson(bytes);
    return json.ok ? checked(validateOrder(json.value, productId)) : json;
  },
  validate: (item) => checked(validateOrder(item, productId)),
  // One user's orders keep their order.
  key: (order) => order.user_id,
};
