import type { StockReason } from '../../domain/stock-engine.js';
import type { MovementRow } from '../../lib/postgres/movement-rows.js';
import type { Pool } from '../../lib/postgres/pool.js';

export type { MovementRow };

// The reads behind the movements API: one parameterised query each. Postgres
// returns bigint as a string; quantities are converted to numbers here, ledger
// ids stay strings (they are opaque to clients). Warehouse codes and names come
// from the imported reference table by LEFT JOIN in the same query, so one
// snapshot holds the state and its names; `null` where no import named the
// warehouse (a movement may well name one before its warehouses file arrives).

/** What the `warehouses` reference table says of one warehouse; `null`s when it has no row. */
export interface WarehouseNames {
  readonly code: string | null;
  readonly name: string | null;
}

/** A movement with the reference names of its two legs' warehouses. */
export interface NamedMovementRow extends MovementRow {
  readonly dep_warehouse: WarehouseNames;
  readonly arr_warehouse: WarehouseNames;
}

export interface StockRow {
  readonly warehouse_id: string;
  readonly product_id: string;
  readonly quantity: number;
  readonly version: number;
  readonly updated_at: Date;
  readonly warehouse: WarehouseNames;
}

export interface StockLedgerRow {
  readonly id: string;
  readonly movement_id: string | null;
  readonly order_id: string | null;
  readonly reason: StockReason;
  readonly delta: number;
  readonly balance: number;
  readonly occurred_at: Date;
  readonly recorded_at: Date;
}

export async function getMovement(
  pool: Pool,
  movementId: string,
): Promise<NamedMovementRow | undefined> {
  const result = await pool.query<MovementRow & NameColumns<'dep'> & NameColumns<'arr'>>(
    `SELECT m.movement_id, m.status, m.product_id,
            m.dep_event_id, m.dep_warehouse_id, m.dep_source, m.dep_product_id, m.dep_quantity,
            m.departed_at, m.dep_state, m.dep_pending_since, m.dep_pending_until, m.dep_reject_reason,
            m.arr_event_id, m.arr_warehouse_id, m.arr_source, m.arr_product_id, m.arr_quantity,
            m.arrived_at, m.anomalies, m.version, m.updated_at,
            dw.code AS dep_code, dw.name AS dep_name, aw.code AS arr_code, aw.name AS arr_name
       FROM movements m
       LEFT JOIN warehouses dw ON dw.warehouse_id = m.dep_warehouse_id
       LEFT JOIN warehouses aw ON aw.warehouse_id = m.arr_warehouse_id
      WHERE m.movement_id = $1`,
    [movementId],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const { dep_code, dep_name, arr_code, arr_name, ...movement } = row;
  return {
    ...movement,
    dep_warehouse: { code: dep_code, name: dep_name },
    arr_warehouse: { code: arr_code, name: arr_name },
  };
}

type NameColumns<L extends string> = { [K in `${L}_code` | `${L}_name`]: string | null };

type Int8<T, K extends keyof T> = Omit<T, K> & { [P in K]: string };

export async function getStockLevel(
  pool: Pool,
  warehouseId: string,
  productId: string,
): Promise<StockRow | undefined> {
  const result = await pool.query<
    Int8<Omit<StockRow, 'warehouse'>, 'quantity' | 'version'> & NameColumns<'warehouse'>
  >(
    `SELECT s.warehouse_id, s.product_id, s.quantity, s.version, s.updated_at,
            w.code AS warehouse_code, w.name AS warehouse_name
       FROM stock s LEFT JOIN warehouses w ON w.warehouse_id = s.warehouse_id
      WHERE s.warehouse_id = $1 AND s.product_id = $2`,
    [warehouseId, productId],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const { warehouse_code, warehouse_name, ...stock } = row;
  return {
    ...stock,
    quantity: Number(row.quantity),
    version: Number(row.version),
    warehouse: { code: warehouse_code, name: warehouse_name },
  };
}

/** Newest first; `beforeId` continues after the last id of the previous page. */
export async function listStockLedger(
  pool: Pool,
  warehouseId: string,
  productId: string,
  page: { limit: number; beforeId?: string },
): Promise<StockLedgerRow[]> {
  const result = await pool.query<Int8<StockLedgerRow, 'delta' | 'balance'>>(
    `SELECT id::text AS id, movement_id, order_id, reason, delta, balance, occurred_at, recorded_at
       FROM stock_ledger
      WHERE warehouse_id = $1 AND product_id = $2 AND ($3::bigint IS NULL OR id < $3::bigint)
      ORDER BY stock_ledger.id DESC -- not the text alias
      LIMIT $4`,
    [warehouseId, productId, page.beforeId ?? null, page.limit],
  );
  return result.rows.map((r) => ({ ...r, delta: Number(r.delta), balance: Number(r.balance) }));
}
