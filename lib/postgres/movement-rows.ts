import type {
  Anomaly,
  Departure,
  DepartureState,
  Leg,
  Movement,
  MovementStatus,
} from '../../domain/movement.js';
import { movementProduct, movementStatus } from '../../domain/movement.js';

/** A `movements` row as node-postgres returns it. */
export interface MovementRow {
  movement_id: string;
  status: MovementStatus;
  product_id: string;
  dep_event_id: string | null;
  dep_warehouse_id: string | null;
  dep_source: string | null;
  dep_product_id: string | null;
  dep_quantity: number | null;
  departed_at: Date | null;
  dep_state: DepartureState | null;
  dep_pending_since: Date | null;
  dep_pending_until: Date | null;
  dep_reject_reason: string | null;
  arr_event_id: string | null;
  arr_warehouse_id: string | null;
  arr_source: string | null;
  arr_product_id: string | null;
  arr_quantity: number | null;
  arrived_at: Date | null;
  anomalies: Anomaly[];
  version: number;
  updated_at: Date;
}

export function rowToMovement(row: MovementRow): Movement {
  const departure: Departure | undefined =
    row.dep_event_id !== null
      ? {
          event_id: row.dep_event_id,
          warehouse_id: row.dep_warehouse_id ?? '',
          source: row.dep_source ?? '',
          product_id: row.dep_product_id ?? '',
          quantity: row.dep_quantity ?? 0,
          at: (row.departed_at ?? new Date(0)).toISOString(),
          state: row.dep_state ?? 'pending',
          ...(row.dep_pending_since ? { pending_since: row.dep_pending_since.getTime() } : {}),
          ...(row.dep_pending_until ? { pending_until: row.dep_pending_until.getTime() } : {}),
          ...(row.dep_reject_reason ? { reject_reason: row.dep_reject_reason } : {}),
        }
      : undefined;
  const arrival: Leg | undefined =
    row.arr_event_id !== null
      ? {
          event_id: row.arr_event_id,
          warehouse_id: row.arr_warehouse_id ?? '',
          source: row.arr_source ?? '',
          product_id: row.arr_product_id ?? '',
          quantity: row.arr_quantity ?? 0,
          at: (row.arrived_at ?? new Date(0)).toISOString(),
        }
      : undefined;
  return {
    movement_id: row.movement_id,
    ...(departure ? { departure } : {}),
    ...(arrival ? { arrival } : {}),
    anomalies: row.anomalies,
    version: row.version,
  };
}

/** The JSON record `json_to_recordset` turns back into a row when saving a batch. */
export function movementToRecord(m: Movement): Record<string, unknown> {
  const d = m.departure;
  const a = m.arrival;
  const iso = (ms: number | undefined): string | null =>
    ms === undefined ? null : new Date(ms).toISOString();
  return {
    movement_id: m.movement_id,
    status: movementStatus(m),
    product_id: movementProduct(m),
    dep_event_id: d?.event_id ?? null,
    dep_warehouse_id: d?.warehouse_id ?? null,
    dep_source: d?.source ?? null,
    dep_product_id: d?.product_id ?? null,
    dep_quantity: d?.quantity ?? null,
    departed_at: d?.at ?? null,
    dep_state: d?.state ?? null,
    dep_pending_since: iso(d?.pending_since),
    dep_pending_until: iso(d?.pending_until),
    dep_reject_reason: d?.reject_reason ?? null,
    arr_event_id: a?.event_id ?? null,
    arr_warehouse_id: a?.warehouse_id ?? null,
    arr_source: a?.source ?? null,
    arr_product_id: a?.product_id ?? null,
    arr_quantity: a?.quantity ?? null,
    arrived_at: a?.at ?? null,
    anomalies: m.anomalies,
    version: m.version,
  };
}
