import type { MovementEvent } from '../domain/movement-event.js';
import { movementStatus, type Movement } from '../domain/movement.js';
import {
  splitStockKey,
  stockKey,
  type BatchResult,
  type BatchState,
  type StockKey,
} from '../domain/stock-engine.js';
import type { PoolClient } from '../lib/postgres/pool.js';
import type { MovementTopics } from '../lib/kafka/topics.js';
import {
  movementToRecord,
  rowToMovement,
  type MovementRow,
} from '../lib/postgres/movement-rows.js';
import { MOVEMENT_CHANGE_SQL, STOCK_CHANGE_SQL, jsonbObject } from './change-payloads.js';

const MOVEMENT_CHANGE_JSON = jsonbObject(MOVEMENT_CHANGE_SQL);
const STOCK_CHANGE_JSON = jsonbObject(STOCK_CHANGE_SQL);

// The Postgres side of the processor. Every function takes a client inside an
// open transaction; a batch costs a fixed number of statements whatever its
// size. Rows are locked in one global order — consumer offset, then movements
// by id, then stock by (warehouse, product) — so concurrent processors and the
// pending-departure sweeper cannot deadlock on each other's batches.

function keyArrays(keys: Iterable<StockKey>): [string[], string[]] {
  const sorted = [...new Set(keys)].sort();
  const parts = sorted.map(splitStockKey);
  return [parts.map((p) => p.warehouse_id), parts.map((p) => p.product_id)];
}

/**
 * Claims the partition's position: returns the next offset not yet applied,
 * holding the row lock until commit, so a zombie consumer of the same
 * partition (after a rebalance) waits and then skips what was done.
 */
export async function lockOffset(
  client: PoolClient,
  group: string,
  topic: string,
  partition: number,
): Promise<bigint> {
  await client.query(
    `INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset)
     VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING`,
    [group, topic, partition],
  );
  const r = await client.query<{ next_offset: string }>(
    `SELECT next_offset FROM consumer_offsets
     WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
    [group, topic, partition],
  );
  return BigInt(r.rows[0]?.next_offset ?? '0');
}

export async function saveOffset(
  client: PoolClient,
  group: string,
  topic: string,
  partition: number,
  nextOffset: bigint,
): Promise<void> {
  await client.query(
    `UPDATE consumer_offsets SET next_offset = $4, updated_at = now()
     WHERE consumer_group = $1 AND topic = $2 AND partition = $3`,
    [group, topic, partition, nextOffset.toString()],
  );
}

async function lockMovements(
  client: PoolClient,
  ids: readonly string[],
): Promise<Map<string, Movement>> {
  const r = await client.query<MovementRow>(
    'SELECT * FROM movements WHERE movement_id = ANY($1::uuid[]) ORDER BY movement_id FOR UPDATE',
    [[...new Set(ids)]],
  );
  return new Map(r.rows.map((row) => [row.movement_id, rowToMovement(row)]));
}

/** Locks (creating at zero where missing) the stock rows of the given keys. */
async function lockStock(
  client: PoolClient,
  keys: Iterable<StockKey>,
): Promise<Map<StockKey, number>> {
  const [warehouses, products] = keyArrays(keys);
  if (warehouses.length === 0) return new Map();
  await client.query(
    `INSERT INTO stock (warehouse_id, product_id, quantity)
     SELECT w, p, 0 FROM unnest($1::uuid[], $2::text[]) AS k(w, p) ORDER BY w, p
     ON CONFLICT DO NOTHING`,
    [warehouses, products],
  );
  const r = await client.query<{ warehouse_id: string; product_id: string; quantity: string }>(
    `SELECT s.warehouse_id, s.product_id, s.quantity FROM stock s
     JOIN unnest($1::uuid[], $2::text[]) AS k(w, p) ON s.warehouse_id = k.w AND s.product_id = k.p
     ORDER BY s.warehouse_id, s.product_id FOR UPDATE OF s`,
    [warehouses, products],
  );
  return new Map(
    r.rows.map((row) => [stockKey(row.warehouse_id, row.product_id), Number(row.quantity)]),
  );
}

function pendingKeys(movements: Iterable<Movement>): StockKey[] {
  const keys: StockKey[] = [];
  for (const m of movements) {
    const d = m.departure;
    if (d?.state === 'pending') keys.push(stockKey(d.warehouse_id, d.product_id));
  }
  return keys;
}

/** Locks everything a batch of events may read or change and returns it as the engine's input. */
export async function lockStateForEvents(
  client: PoolClient,
  events: readonly MovementEvent[],
): Promise<BatchState> {
  const legs = events.filter((e) => e.data.event !== 'inventory');
  const countIds = events
    .filter((e) => e.data.event === 'inventory')
    .map((e) => e.data.movement_id);
  const eventKeys = events.map((e) => stockKey(e.data.warehouse_id, e.data.product_id));
  const [warehouses, products] = keyArrays(eventKeys);
  // Departures held at the stock this batch touches may now be served.
  const waiting = await client.query<{ movement_id: string }>(
    `SELECT m.movement_id FROM movements m
     JOIN unnest($1::uuid[], $2::text[]) AS k(w, p) ON m.dep_warehouse_id = k.w AND m.dep_product_id = k.p
     WHERE m.dep_state = 'pending'`,
    [warehouses, products],
  );
  const movements = await lockMovements(client, [
    ...legs.map((e) => e.data.movement_id),
    ...waiting.rows.map((r) => r.movement_id),
  ]);
  const stock = await lockStock(client, [...eventKeys, ...pendingKeys(movements.values())]);
  const counts = await client.query<{ count_id: string }>(
    'SELECT count_id FROM stock_counts WHERE count_id = ANY($1::uuid[])',
    [countIds],
  );
  return { movements, stock, appliedCounts: new Set(counts.rows.map((r) => r.count_id)) };
}

/** Locks held departures whose grace has ended (skipping any a processor holds right now). */
/**
 * Locks the departures held at these stock keys, and their stock. Run after a
 * batch that raised those levels has committed: a departure held by a
 * concurrent transaction that committed while that batch waited for the stock
 * lock was invisible to it, and would otherwise wait for its grace to end.
 */
export async function lockPendingAt(
  client: PoolClient,
  keys: Iterable<StockKey>,
): Promise<BatchState> {
  const [warehouses, products] = keyArrays(keys);
  const ids = await client.query<{ movement_id: string }>(
    `SELECT m.movement_id FROM movements m
     JOIN unnest($1::uuid[], $2::text[]) AS k(w, p) ON m.dep_warehouse_id = k.w AND m.dep_product_id = k.p
     WHERE m.dep_state = 'pending' ORDER BY m.movement_id`,
    [warehouses, products],
  );
  const movements = await lockMovements(
    client,
    ids.rows.map((r) => r.movement_id),
  );
  const stock = await lockStock(client, pendingKeys(movements.values()));
  return { movements, stock, appliedCounts: new Set() };
}

export async function lockExpiredPending(
  client: PoolClient,
  now: number,
  limit: number,
): Promise<BatchState> {
  const ids = await client.query<{ movement_id: string }>(
    `SELECT movement_id FROM movements
     WHERE dep_state = 'pending' AND dep_pending_until <= $1
     ORDER BY movement_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [new Date(now), limit],
  );
  const movements = await lockMovements(
    client,
    ids.rows.map((r) => r.movement_id),
  );
  const stock = await lockStock(client, pendingKeys(movements.values()));
  return { movements, stock, appliedCounts: new Set() };
}

/** Writes what the engine decided, plus the outbox messages describing it. */
export async function saveBatch(
  client: PoolClient,
  result: BatchResult,
  topics: MovementTopics,
  /** The movements as they were before the batch (the engine's input). */
  previous: ReadonlyMap<string, Movement>,
): Promise<void> {
  if (result.movements.size > 0) {
    const records = [...result.movements.values()].map((m) => {
      const before = previous.get(m.movement_id);
      return { ...movementToRecord(m), previous_status: before ? movementStatus(before) : null };
    });
    // previous_status lets analytics count each transition once (into completed, in and out of in_transit).
    await client.query(
      `WITH input AS (
         SELECT * FROM json_to_recordset($1::json) AS r(movement_id uuid, status text, product_id text,
           dep_event_id text, dep_warehouse_id uuid, dep_source text, dep_product_id text, dep_quantity int,
           departed_at timestamptz, dep_state text, dep_pending_since timestamptz, dep_pending_until timestamptz,
           dep_reject_reason text, arr_event_id text, arr_warehouse_id uuid, arr_source text, arr_product_id text,
           arr_quantity int, arrived_at timestamptz, anomalies jsonb, version int, previous_status text)
       ),
       saved AS (
         INSERT INTO movements AS m (movement_id, status, product_id, dep_event_id, dep_warehouse_id, dep_source,
           dep_product_id, dep_quantity, departed_at, dep_state, dep_pending_since, dep_pending_until,
           dep_reject_reason, arr_event_id, arr_warehouse_id, arr_source, arr_product_id, arr_quantity,
           arrived_at, anomalies, version)
         SELECT movement_id, status, product_id, dep_event_id, dep_warehouse_id, dep_source,
           dep_product_id, dep_quantity, departed_at, dep_state, dep_pending_since, dep_pending_until,
           dep_reject_reason, arr_event_id, arr_warehouse_id, arr_source, arr_product_id, arr_quantity,
           arrived_at, anomalies, version
         FROM input ORDER BY movement_id
         ON CONFLICT (movement_id) DO UPDATE SET
           status = EXCLUDED.status, product_id = EXCLUDED.product_id,
           dep_event_id = EXCLUDED.dep_event_id, dep_warehouse_id = EXCLUDED.dep_warehouse_id,
           dep_source = EXCLUDED.dep_source, dep_product_id = EXCLUDED.dep_product_id,
           dep_quantity = EXCLUDED.dep_quantity, departed_at = EXCLUDED.departed_at,
           dep_state = EXCLUDED.dep_state, dep_pending_since = EXCLUDED.dep_pending_since,
           dep_pending_until = EXCLUDED.dep_pending_until, dep_reject_reason = EXCLUDED.dep_reject_reason,
           arr_event_id = EXCLUDED.arr_event_id, arr_warehouse_id = EXCLUDED.arr_warehouse_id,
           arr_source = EXCLUDED.arr_source, arr_product_id = EXCLUDED.arr_product_id,
           arr_quantity = EXCLUDED.arr_quantity, arrived_at = EXCLUDED.arrived_at,
           anomalies = EXCLUDED.anomalies, version = EXCLUDED.version, updated_at = now()
         RETURNING m.*
       )
       INSERT INTO outbox (topic, key, payload)
       SELECT $2, s.movement_id::text, ${MOVEMENT_CHANGE_JSON}
       FROM saved s JOIN input i ON i.movement_id = s.movement_id ORDER BY s.movement_id`,
      [JSON.stringify(records), topics.movementChanges],
    );
  }
  if (result.stock.size > 0) {
    const keys = [...result.stock.keys()].sort();
    const [warehouses, products] = keyArrays(keys);
    await client.query(
      `UPDATE stock s SET quantity = u.q, version = s.version + 1, updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::bigint[]) AS u(w, p, q)
       WHERE s.warehouse_id = u.w AND s.product_id = u.p`,
      [warehouses, products, keys.map((k) => result.stock.get(k))],
    );
  }
  if (result.changes.length > 0) {
    const c = result.changes;
    await client.query(
      `WITH ledger AS (
         INSERT INTO stock_ledger (warehouse_id, product_id, reason, delta, balance, movement_id, event_id, occurred_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::uuid[], $7::text[], $8::timestamptz[])
         RETURNING *
       )
       INSERT INTO outbox (topic, key, payload)
       SELECT $9, warehouse_id::text || '/' || product_id::text, ${STOCK_CHANGE_JSON}
       FROM ledger ORDER BY id`,
      [
        c.map((x) => x.warehouse_id),
        c.map((x) => x.product_id),
        c.map((x) => x.reason),
        c.map((x) => x.delta),
        c.map((x) => x.balance),
        c.map((x) => x.movement_id),
        c.map((x) => x.event_id),
        c.map((x) => x.occurred_at),
        topics.stockChanges,
      ],
    );
  }
  if (result.counts.length > 0) {
    const k = result.counts;
    await client.query(
      `INSERT INTO stock_counts (count_id, warehouse_id, product_id, quantity, counted_at, event_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::timestamptz[], $6::text[])
       ON CONFLICT DO NOTHING`,
      [
        k.map((x) => x.count_id),
        k.map((x) => x.warehouse_id),
        k.map((x) => x.product_id),
        k.map((x) => x.quantity),
        k.map((x) => x.counted_at),
        k.map((x) => x.event_id),
      ],
    );
  }
}
