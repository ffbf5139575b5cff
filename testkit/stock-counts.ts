// Stock set by a stock count (an inventory event) over POST /api/events, the way an upstream
// system sets it, then waited for until the processor has stored it.
import { randomUUID } from 'node:crypto';
import type { Pool } from '../lib/postgres/pool.js';
import { movementEvent } from './movement-events.js';
import { eventually } from './pipeline-harness.js';

/** Counts `quantity` of `product` at `warehouse` through the ingest at `base`; resolves once stored. */
export async function countStock(
  base: string,
  pool: Pool,
  count: { readonly warehouse: string; readonly product: string; readonly quantity: number },
): Promise<void> {
  const res = await fetch(`${base}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      movementEvent('inventory', { id: `count-${randomUUID()}`, movement: randomUUID(), ...count }),
    ),
  });
  if (res.status !== 202) throw new Error(`stock count refused: ${res.status} ${await res.text()}`);
  await eventually(async () => {
    const r = await pool.query<{ quantity: string }>(
      'SELECT quantity::text FROM stock WHERE warehouse_id = $1 AND product_id = $2',
      [count.warehouse, count.product],
    );
    return r.rows[0]?.quantity === String(count.quantity) ? true : undefined;
  });
}
