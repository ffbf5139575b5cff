import type { StockReason } from '../../domain/stock-engine.js';
import type { MovementRow } from '../../lib/postgres/movement-rows.js';
import type { Pool } from '../../lib/postgres/pool.js';

export type { MovementRow };

// The reads behind the movements API: one parameterised query each. Postgres
// returns bigint as a string; quantities are converted to numbers here, ledger
// ids stay strings (they are opaque to clients).

export interface StockRow {
  readonly warehouse_id: string;
  readonly product_id: string;
  readonly quantity: number;
  readonly version: number;
  readonly updated_at: Date;
}

export interface StockLedgerRow {
  readonly id: string;
  readonly movement_id: string;
  readonly reason: StockReason;
  readonly delta: number;
  readonly balance: number;
  readonly occurred_at: Date;
  readonly recorded_at: Date;
}

export async function getMovement(
  pool: Pool,
  movementId: string,
): Promise<MovementRow | undefined> {
  const result = await pool.query<MovementRow>(
    `SELECT movement_id, status, product_id,
            dep_event_id, dep_warehouse_id, dep_source, dep_product_id, dep_quantity, departed_at,
            dep_state, dep_pending_since, dep_pending_until, dep_reject_reason,
            arr_event_id, arr_warehouse_id, arr_source, arr_product_id, arr_quantity, arrived_at,
            anomalies, version, updated_at
       FROM movements WHERE movement_id = $1`,
    [movementId],
  );
  return result.rows[0];
}

type Int8<T, K extends keyof T> = Omit<T, K> & { [P in K]: string };

export async function getStockLevel(
  pool: Pool,
  warehouseId: string,
  productId: string,
): Promise<StockRow | undefined> {
  const result = await pool.query<Int8<StockRow, 'quantity' | 'version'>>(
    `SELECT warehouse_id, product_id, quantity, version, updated_at
       FROM stock WHERE warehouse_id = $1 AND product_id = $2`,
    [warehouseId, productId],
  );
  const row = result.rows[0];
  return row && { ...row, quantity: Number(row.quantity), version: Number(row.version) };
}

/** Newest first; `beforeId` continues after the last id of the previous page. */
export async function listStockLedger(
  pool: Pool,
  warehouseId: string,
  productId: string,
  page: { limit: number; beforeId?: string },
): Promise<StockLedgerRow[]> {
  const result = await pool.query<Int8<StockLedgerRow, 'delta' | 'balance'>>(
    `SELECT id::text AS id, movement_id, reason, delta, balance, occurred_at, recorded_at
       FROM stock_ledger
      WHERE warehouse_id = $1 AND product_id = $2 AND ($3::bigint IS NULL OR id < $3::bigint)
      ORDER BY stock_ledger.id DESC -- not the text alias
      LIMIT $4`,
    [warehouseId, productId, page.beforeId ?? null, page.limit],
  );
  return result.rows.map((r) => ({ ...r, delta: Number(r.delta), balance: Number(r.balance) }));
}
