// One batch of orders settled against the catalog and the stock, in order:
// each order is priced, then its items reserved all or nothing; what one order
// takes is gone for the next. Pure: the caller locked the rows and writes the result.
import {
  planReservation,
  priceOrder,
  type OrderFailure,
  type OrderLine,
  type Take,
} from './order.js';

export interface OrderToSettle {
  readonly order_id: string;
  readonly lines: readonly OrderLine[];
  readonly total_cents: bigint;
  readonly warehouse_id: string | null;
}

export type Settled =
  | {
      readonly order_id: string;
      readonly status: 'completed';
      readonly takes: readonly Take[];
    }
  | { readonly order_id: string; readonly status: 'failed'; readonly failure: OrderFailure };

export interface StockChange {
  readonly warehouse_id: string;
  readonly product_id: string;
  readonly delta: number;
  /** The level after it. */
  readonly balance: number;
  readonly order_id: string;
}

export interface SettledBatch {
  readonly orders: readonly Settled[];
  /** Every reservation, in the order made. */
  readonly changes: readonly StockChange[];
  /** The final level of every stock row a reservation changed, by product → warehouse. */
  readonly levels: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export function settleOrders(
  orders: readonly OrderToSettle[],
  unitCents: ReadonlyMap<string, bigint>,
  stock: ReadonlyMap<string, ReadonlyMap<string, number>>,
): SettledBatch {
  const levels = new Map([...stock].map(([p, at]) => [p, new Map(at)]));
  const touched = new Map<string, Map<string, number>>();
  const settled: Settled[] = [];
  const changes: StockChange[] = [];
  for (const order of orders) {
    const priced = priceOrder(order.lines, order.total_cents, unitCents);
    if (!priced.ok) {
      settled.push({ order_id: order.order_id, status: 'failed', failure: priced.failure });
      continue;
    }
    const plan = planReservation(order.lines, order.warehouse_id, levels);
    if (!plan.ok) {
      settled.push({ order_id: order.order_id, status: 'failed', failure: plan.failure });
      continue;
    }
    for (const take of plan.takes) {
      const at = levels.get(take.product_id)!;
      const balance = at.get(take.warehouse_id)! - take.quantity;
      at.set(take.warehouse_id, balance);
      const t = touched.get(take.product_id) ?? new Map<string, number>();
      touched.set(take.product_id, t.set(take.warehouse_id, balance));
      changes.push({ ...take, delta: -take.quantity, balance, order_id: order.order_id });
    }
    settled.push({ order_id: order.order_id, status: 'completed', takes: plan.takes });
  }
  return { orders: settled, changes, levels: touched };
}
