import type { MovementEvent } from './movement-event.js';
import {
  legDifferences,
  pairAnomalies,
  sameLeg,
  type Anomaly,
  type Departure,
  type Leg,
  type Movement,
} from './movement.js';

// The stock rules, applied to one batch of events against the locked current
// state. Stock is never below zero: a departure the sender cannot cover is held
// for a grace period and retried whenever that stock grows; when the grace
// ends without cover it is rejected. Pure: input maps are never mutated.

export type StockKey = `${string}/${string}`;

export const stockKey = (warehouseId: string, productId: string): StockKey =>
  `${warehouseId}/${productId}`;

export function splitStockKey(key: StockKey): { warehouse_id: string; product_id: string } {
  const [warehouse_id = '', product_id = ''] = key.split('/');
  return { warehouse_id, product_id };
}

/** Why a stock level changed; `order` is an order's reservation (processors/orders). */
export type StockReason = 'departure' | 'arrival' | 'inventory' | 'order';

/** One change of one stock level, with the balance after it: the ledger line. */
export interface StockChange {
  readonly warehouse_id: string;
  readonly product_id: string;
  readonly reason: StockReason;
  readonly delta: number;
  readonly balance: number;
  /** The movement, or for a count the count's id. */
  readonly movement_id: string;
  readonly event_id: string;
  /** When it happened per the event (`data.timestamp`). */
  readonly occurred_at: string;
}

export interface StockCount {
  readonly count_id: string;
  readonly warehouse_id: string;
  readonly product_id: string;
  readonly quantity: number;
  readonly counted_at: string;
  readonly event_id: string;
}

export interface BatchState {
  /** Current movements for every id the batch names, plus departures pending at the stock keys it touches. */
  readonly movements: ReadonlyMap<string, Movement>;
  /** Current quantity per key the batch touches (missing means 0). */
  readonly stock: ReadonlyMap<StockKey, number>;
  /** Stock counts already applied, by id. */
  readonly appliedCounts: ReadonlySet<string>;
}

export interface BatchOptions {
  /** Processor clock, epoch ms. */
  readonly now: number;
  /** How long a departure short of stock is held before it is rejected. */
  readonly graceMs: number;
}

export interface BatchResult {
  /** Movements that changed, in their new state (version bumped once per batch). */
  readonly movements: Map<string, Movement>;
  /** New quantity of every key that changed. */
  readonly stock: Map<StockKey, number>;
  readonly changes: StockChange[];
  readonly counts: StockCount[];
  /** Events that changed nothing because they were seen before. */
  readonly duplicates: number;
}

function legOf(event: MovementEvent): Leg {
  const d = event.data;
  return {
    event_id: event.id,
    warehouse_id: d.warehouse_id,
    source: event.source,
    product_id: d.product_id,
    quantity: d.quantity,
    at: d.timestamp,
  };
}

/** Mutable working copy of the batch state; `run` returns only what changed. */
class Engine {
  private readonly movements: Map<string, Movement>;
  private readonly stock: Map<StockKey, number>;
  private readonly appliedCounts: Set<string>;
  private readonly changedMovements = new Set<string>();
  private readonly changedStock = new Set<StockKey>();
  private readonly changes: StockChange[] = [];
  private readonly counts: StockCount[] = [];
  /** Held departures by the stock key they wait on, oldest hold first (insertion order). */
  private readonly pendingByKey = new Map<StockKey, Set<string>>();
  private duplicates = 0;

  constructor(
    state: BatchState,
    private readonly options: BatchOptions,
  ) {
    this.movements = new Map(state.movements);
    this.stock = new Map(state.stock);
    this.appliedCounts = new Set(state.appliedCounts);
    const held = [...state.movements.values()]
      .filter((m) => m.departure?.state === 'pending')
      .sort(
        (a, b) =>
          (a.departure?.pending_since ?? 0) - (b.departure?.pending_since ?? 0) ||
          a.movement_id.localeCompare(b.movement_id),
      );
    for (const m of held) this.index(m);
  }

  private index(m: Movement): void {
    const d = m.departure;
    if (d?.state !== 'pending') return;
    const key = stockKey(d.warehouse_id, d.product_id);
    const set = this.pendingByKey.get(key) ?? new Set<string>();
    set.add(m.movement_id);
    this.pendingByKey.set(key, set);
  }

  private unindex(m: Movement | undefined): void {
    const d = m?.departure;
    if (!m || d?.state !== 'pending') return;
    this.pendingByKey.get(stockKey(d.warehouse_id, d.product_id))?.delete(m.movement_id);
  }

  run(events: readonly MovementEvent[]): BatchResult {
    for (const event of events) {
      if (event.data.event === 'inventory') this.count(event);
      else if (event.data.event === 'departure') this.departure(event);
      else this.arrival(event);
    }
    // Holds that ran out with no stock change in this batch still have to end.
    this.settlePending(undefined);
    const movements = new Map<string, Movement>();
    for (const id of this.changedMovements) {
      const m = this.movements.get(id);
      if (m) movements.set(id, { ...m, version: m.version + 1 });
    }
    const stock = new Map<StockKey, number>();
    for (const key of this.changedStock) stock.set(key, this.level(key));
    return {
      movements,
      stock,
      changes: this.changes,
      counts: this.counts,
      duplicates: this.duplicates,
    };
  }

  private level(key: StockKey): number {
    return this.stock.get(key) ?? 0;
  }

  private adjust(
    key: StockKey,
    delta: number,
    reason: StockReason,
    movementId: string,
    eventId: string,
    at: string,
  ): void {
    const balance = this.level(key) + delta;
    if (balance < 0) throw new Error(`stock ${key} would go to ${balance}`); // unreachable by construction
    this.stock.set(key, balance);
    this.changedStock.add(key);
    // Named fields: spreading splitStockKey's result made this the engine's hottest line.
    const { warehouse_id, product_id } = splitStockKey(key);
    this.changes.push({
      warehouse_id,
      product_id,
      reason,
      delta,
      balance,
      movement_id: movementId,
      event_id: eventId,
      occurred_at: at,
    });
    if (delta > 0) this.settlePending(key);
  }

  private put(m: Movement): void {
    this.unindex(this.movements.get(m.movement_id));
    this.movements.set(m.movement_id, m);
    this.index(m);
    this.changedMovements.add(m.movement_id);
  }

  private flag(m: Movement, anomalies: readonly Anomaly[]): Movement {
    return anomalies.length === 0 ? m : { ...m, anomalies: [...m.anomalies, ...anomalies] };
  }

  private current(id: string): Movement {
    return this.movements.get(id) ?? { movement_id: id, anomalies: [], version: 0 };
  }

  private count(event: MovementEvent): void {
    const id = event.data.movement_id;
    if (this.appliedCounts.has(id)) {
      this.duplicates++;
      return;
    }
    this.appliedCounts.add(id);
    const key = stockKey(event.data.warehouse_id, event.data.product_id);
    this.counts.push({
      count_id: id,
      warehouse_id: event.data.warehouse_id,
      product_id: event.data.product_id,
      quantity: event.data.quantity,
      counted_at: event.data.timestamp,
      event_id: event.id,
    });
    const delta = event.data.quantity - this.level(key);
    if (delta !== 0) this.adjust(key, delta, 'inventory', id, event.id, event.data.timestamp);
  }

  private departure(event: MovementEvent): void {
    const leg = legOf(event);
    const m = this.current(event.data.movement_id);
    if (m.departure) {
      this.duplicateOrConflict(m, m.departure, leg, 'departure');
      return;
    }
    const departure: Departure = {
      ...leg,
      state: 'pending',
      pending_since: this.options.now,
      pending_until: this.options.now + this.options.graceMs,
    };
    this.put(
      this.flag(
        { ...m, departure },
        m.arrival ? pairAnomalies(departure, m.arrival, leg.event_id) : [],
      ),
    );
    this.tryDeparture(m.movement_id);
  }

  private arrival(event: MovementEvent): void {
    const leg = legOf(event);
    const m = this.current(event.data.movement_id);
    if (m.arrival) {
      this.duplicateOrConflict(m, m.arrival, leg, 'arrival');
      return;
    }
    const anomalies = m.departure ? pairAnomalies(m.departure, leg, leg.event_id) : [];
    if (m.departure?.state === 'rejected')
      anomalies.push(rejectedAnomaly(m.departure, leg.event_id));
    this.put(this.flag({ ...m, arrival: leg }, anomalies));
    // Goods that arrived are there, whatever became of the departure.
    this.adjust(
      stockKey(leg.warehouse_id, leg.product_id),
      leg.quantity,
      'arrival',
      m.movement_id,
      leg.event_id,
      leg.at,
    );
  }

  private duplicateOrConflict(
    m: Movement,
    known: Leg,
    leg: Leg,
    kind: 'departure' | 'arrival',
  ): void {
    if (sameLeg(known, leg)) {
      this.duplicates++;
      return;
    }
    const detail = `second, different ${kind} ignored (${legDifferences(known, leg).join('; ')})`;
    if (m.anomalies.some((a) => a.code === 'conflicting_leg' && a.detail === detail)) {
      this.duplicates++;
      return;
    }
    this.put(this.flag(m, [{ code: 'conflicting_leg', detail, event_id: leg.event_id }]));
  }

  /** Applies a held departure if its sender can cover it; rejects it once its hold has ended. */
  private tryDeparture(movementId: string): void {
    const m = this.movements.get(movementId);
    const d = m?.departure;
    if (!m || d?.state !== 'pending') return;
    const key = stockKey(d.warehouse_id, d.product_id);
    const available = this.level(key);
    if (available >= d.quantity) {
      const applied: Departure = { ...d, state: 'applied' };
      this.put({ ...m, departure: applied });
      this.adjust(key, -d.quantity, 'departure', movementId, d.event_id, d.at);
    } else if (this.options.now >= (d.pending_until ?? 0)) {
      const rejected: Departure = {
        ...d,
        state: 'rejected',
        reject_reason: `insufficient stock: ${d.quantity} needed at ${d.warehouse_id}, ${available} available when the ${Math.round(this.options.graceMs / 1000)}s grace period ended`,
      };
      this.put(
        this.flag(
          { ...m, departure: rejected },
          m.arrival ? [rejectedAnomaly(rejected, m.arrival.event_id)] : [],
        ),
      );
    }
  }

  /** Retries held departures (at one key, or all), oldest hold first. */
  private settlePending(key: StockKey | undefined): void {
    const keys = key ? [key] : [...this.pendingByKey.keys()];
    for (const k of keys) {
      for (const id of [...(this.pendingByKey.get(k) ?? [])]) this.tryDeparture(id);
    }
  }
}

function rejectedAnomaly(departure: Departure, eventId: string): Anomaly {
  return {
    code: 'arrival_for_rejected_departure',
    detail: `goods arrived although the departure was rejected (${departure.reject_reason ?? 'no reason'})`,
    event_id: eventId,
  };
}

export function applyBatch(
  events: readonly MovementEvent[],
  state: BatchState,
  options: BatchOptions,
): BatchResult {
  return new Engine(state, options).run(events);
}
