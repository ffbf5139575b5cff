// The Avro schema of a validated order (orders from Kafka), as a constant so
// that `domain/` never reads files; schemas/order.avsc is the same for
// upstream teams, and a unit test keeps them equal.
import avro from 'avsc';
import { formatCents, type OrderRequest } from './order.js';

/** An order as the validated topic carries it: checked, one line per product, money as exact text. */
export interface ValidatedOrder {
  readonly user_id: string;
  readonly lines: readonly { readonly product_id: string; readonly quantity: number }[];
  /** Exact decimal with two places, e.g. "99.99". */
  readonly total_amount: string;
  readonly warehouse_id: string | null;
}

export const orderAvroSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'dev.stockflow.orders',
  doc: 'One order (seed 004) as validated from the raw orders topic. Registered with BACKWARD compatibility: later versions may only add fields that have a default.',
  fields: [
    { name: 'user_id', type: 'string', doc: 'Who orders (the Kafka key).' },
    {
      name: 'lines',
      doc: 'One line per product; item_ids of the seed are counted into quantities.',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'OrderLine',
          fields: [
            { name: 'product_id', type: 'string', doc: 'A product id of the catalog.' },
            { name: 'quantity', type: 'int', doc: 'Units, at least 1.' },
          ],
        },
      },
    },
    {
      name: 'total_amount',
      type: 'string',
      doc: "The client's total, an exact decimal with two places, e.g. '99.99'.",
    },
    {
      name: 'warehouse_id',
      type: ['null', 'string'],
      default: null,
      doc: 'Lower-case UUID of the warehouse to serve it from; null: where most is held.',
    },
  ],
} as const;

export const orderAvroType = avro.Type.forSchema(orderAvroSchema as unknown as avro.Schema);

export function toValidatedOrder(order: OrderRequest): ValidatedOrder {
  return {
    user_id: order.user_id,
    lines: order.lines.map((l) => ({ product_id: l.product_id, quantity: l.quantity })),
    total_amount: formatCents(order.total_cents),
    warehouse_id: order.warehouse_id,
  };
}
