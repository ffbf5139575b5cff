import { ch, sql, type Sql } from '../../../lib/clickhouse/sql.js';
import { toCount } from '../money.js';
import { rows, type Analytics } from './run.js';

export interface InTransit {
  readonly sender_warehouse_id: string;
  readonly product_id: string;
  readonly quantity: number;
  readonly movements: number;
}

/**
 * Units on the way now per sender and product (departed, not arrived): the sum over every row of
 * `in_transit`, whose rows are +departure on entering in_transit and − on leaving it. Only
 * positive amounts; most units first.
 */
export async function inTransit(
  a: Analytics,
  filter: { warehouseId: string | null; productId: string | null },
): Promise<InTransit[]> {
  const conditions: Sql[] = [sql`1`];
  if (filter.warehouseId !== null) {
    conditions.push(sql`sender_warehouse_id = ${ch.string(filter.warehouseId)}`);
  }
  if (filter.productId !== null) conditions.push(sql`product_id = ${ch.string(filter.productId)}`);
  const where = conditions.reduce((acc, c) => sql`${acc} AND ${c}`);
  const result = await rows<{
    sender_warehouse_id: string;
    product_id: string;
    units: string;
    moving: string;
  }>(
    a,
    sql`SELECT sender_warehouse_id, product_id, sum(quantity) AS units, sum(movements) AS moving
      FROM ${a.db}.in_transit WHERE ${where}
      GROUP BY sender_warehouse_id, product_id HAVING units > 0
      ORDER BY units DESC, sender_warehouse_id ASC, product_id ASC`,
  );
  return result.map((r) => ({
    sender_warehouse_id: r.sender_warehouse_id,
    product_id: r.product_id,
    quantity: toCount(r.units),
    movements: toCount(r.moving),
  }));
}
