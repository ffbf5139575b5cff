import { describe, expect, it } from 'vitest';
import type { MovementEvent } from '../../domain/movement-event.js';
import { movementEvent, SEED } from '../../testkit/movement-events.js';
import { seededRandom } from '../../testkit/random.js';
import { isoDuration, movementStatus, transitFacts, type Movement } from '../../domain/movement.js';
import { applyBatch, stockKey, type StockKey } from '../../domain/stock-engine.js';

const W1: string = SEED.sender;
const W2: string = SEED.receiver;
const P: string = SEED.product;
const P2 = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
const M: string = SEED.movementId;
const ev = movementEvent;

const opts = { now: 1_000_000, graceMs: 60_000 };

/** Carries state from one batch to the next, as the Postgres adapter does. */
class World {
  movements = new Map<string, Movement>();
  stock = new Map<StockKey, number>();
  counts = new Set<string>();
  duplicates = 0;

  apply(events: MovementEvent[], now = opts.now, graceMs = opts.graceMs) {
    const r = applyBatch(
      events,
      { movements: this.movements, stock: this.stock, appliedCounts: this.counts },
      { now, graceMs },
    );
    for (const [id, m] of r.movements) this.movements.set(id, m);
    for (const [k, q] of r.stock) this.stock.set(k, q);
    for (const c of r.counts) this.counts.add(c.count_id);
    this.duplicates += r.duplicates;
    return r;
  }
  level(w: string, p = P) {
    return this.stock.get(stockKey(w, p)) ?? 0;
  }
  movement(id = M) {
    const m = this.movements.get(id);
    if (!m) throw new Error(`no movement ${id}`);
    return m;
  }
}

describe('applyBatch: pairing', () => {
  it('pairs departure then arrival: stock moves, movement completes', () => {
    const w = new World();
    w.apply([ev('inventory', { movement: 'a0000000-0000-4000-8000-000000000001', quantity: 150 })]);
    w.apply([ev('departure')]);
    expect(movementStatus(w.movement())).toBe('in_transit');
    expect(w.level(W1)).toBe(50);
    w.apply([ev('arrival')]);
    const m = w.movement();
    expect(movementStatus(m)).toBe('completed');
    expect(w.level(W1)).toBe(50);
    expect(w.level(W2)).toBe(100);
    expect(transitFacts(m)).toEqual({ transit_seconds: 8520, quantity_difference: 0 });
    expect(isoDuration(8520)).toBe('PT2H22M');
    expect(m.anomalies).toEqual([]);
  });

  it('pairs arrival first: arrival applies at once, departure later', () => {
    const w = new World();
    w.apply([ev('inventory', { movement: 'a0000000-0000-4000-8000-000000000001', quantity: 100 })]);
    w.apply([ev('arrival', { quantity: 98 })]);
    expect(movementStatus(w.movement())).toBe('arrived_first');
    expect(w.level(W2)).toBe(98);
    w.apply([ev('departure')]);
    expect(movementStatus(w.movement())).toBe('completed');
    expect(w.level(W1)).toBe(0);
    expect(transitFacts(w.movement()).quantity_difference).toBe(-2);
  });

  it('ignores exact duplicates, in the same batch or later', () => {
    const w = new World();
    w.apply([ev('inventory', { movement: 'a0000000-0000-4000-8000-000000000001', quantity: 300 })]);
    const r = w.apply([ev('departure'), ev('departure'), ev('arrival')]);
    expect(r.duplicates).toBe(1);
    const before = { stock: new Map(w.stock), m: w.movement() };
    const again = w.apply([
      ev('arrival'),
      ev('departure'),
      ev('inventory', { movement: 'a0000000-0000-4000-8000-000000000001', quantity: 300 }),
    ]);
    expect(again.duplicates).toBe(3);
    expect(again.movements.size).toBe(0);
    expect(again.changes).toEqual([]);
    expect(w.stock).toEqual(before.stock);
    expect(w.movement()).toEqual(before.m);
  });
});

describe('applyBatch: stock never below zero', () => {
  it('holds a departure short of stock and applies it when stock arrives', () => {
    const w = new World();
    w.apply([ev('departure', { quantity: 10 })]);
    expect(movementStatus(w.movement())).toBe('pending_stock');
    expect(w.level(W1)).toBe(0);
    // Another movement brings goods to the sender.
    w.apply(
      [
        ev('arrival', {
          movement: 'd0000000-0000-4000-8000-000000000009',
          warehouse: W1,
          quantity: 4,
        }),
      ],
      opts.now + 1000,
    );
    expect(movementStatus(w.movement())).toBe('pending_stock');
    expect(w.level(W1)).toBe(4);
    w.apply(
      [
        ev('arrival', {
          movement: 'd0000000-0000-4000-8000-000000000010',
          warehouse: W1,
          quantity: 6,
        }),
      ],
      opts.now + 2000,
    );
    expect(movementStatus(w.movement())).toBe('in_transit');
    expect(w.level(W1)).toBe(0);
  });

  it('rejects a held departure with a reason once the grace period ends', () => {
    const w = new World();
    w.apply([ev('inventory', { movement: 'a0000000-0000-4000-8000-000000000001', quantity: 3 })]);
    w.apply([ev('departure', { quantity: 10 })]);
    w.apply([], opts.now + opts.graceMs - 1);
    expect(movementStatus(w.movement())).toBe('pending_stock');
    w.apply([], opts.now + opts.graceMs);
    const m = w.movement();
    expect(movementStatus(m)).toBe('rejected');
    expect(m.departure?.reject_reason).toMatch(/insufficient stock: 10 needed at .*, 3 available/);
    expect(w.level(W1)).toBe(3);
  });

  it('rejects at once with a zero grace period', () => {
    const w = new World();
    w.apply([ev('departure')], opts.now, 0);
    expect(movementStatus(w.movement())).toBe('rejected');
  });

  it('serves held departures oldest first when stock grows', () => {
    const w = new World();
    const a = 'e0000000-0000-4000-8000-00000000000a';
    const b = 'e0000000-0000-4000-8000-00000000000b';
    w.apply([ev('departure', { movement: b, quantity: 5 })], opts.now);
    w.apply([ev('departure', { movement: a, quantity: 5 })], opts.now + 10);
    w.apply(
      [ev('inventory', { movement: 'a0000000-0000-4000-8000-000000000002', quantity: 5 })],
      opts.now + 20,
    );
    expect(movementStatus(w.movement(b))).toBe('in_transit');
    expect(movementStatus(w.movement(a))).toBe('pending_stock');
  });

  it('a stock count sets the level and wakes held departures', () => {
    const w = new World();
    w.apply([ev('departure', { quantity: 100 })]);
    const r = w.apply([
      ev('inventory', { movement: 'a0000000-0000-4000-8000-000000000003', quantity: 120 }),
    ]);
    expect(r.changes.map((c) => [c.reason, c.delta, c.balance])).toEqual([
      ['inventory', 120, 120],
      ['departure', -100, 20],
    ]);
    w.apply([ev('inventory', { movement: 'a0000000-0000-4000-8000-000000000004', quantity: 7 })]);
    expect(w.level(W1)).toBe(7);
  });
});

describe('applyBatch: anomalies are flagged, never merged', () => {
  it('a second, different leg for the same event is flagged and not applied', () => {
    const w = new World();
    w.apply([ev('arrival')]);
    w.apply([ev('arrival', { quantity: 5 })]);
    const m = w.movement();
    expect(m.arrival?.quantity).toBe(100);
    expect(w.level(W2)).toBe(100);
    expect(m.anomalies.map((a) => a.code)).toEqual(['conflicting_leg']);
    expect(m.anomalies[0]?.detail).toContain('quantity 100 → 5');
    // The same conflicting leg again adds nothing.
    w.apply([ev('arrival', { quantity: 5 })]);
    expect(w.movement().anomalies).toHaveLength(1);
  });

  it('flags different products, the same warehouse and an arrival before its departure', () => {
    const w = new World();
    w.apply([ev('inventory', { movement: 'a0000000-0000-4000-8000-000000000001', quantity: 100 })]);
    w.apply([ev('departure')]);
    w.apply([ev('arrival', { warehouse: W1, product: P2, at: '2025-02-18T10:00:00Z' })]);
    expect(
      w
        .movement()
        .anomalies.map((a) => a.code)
        .sort(),
    ).toEqual(['arrival_before_departure', 'product_mismatch', 'same_warehouse']);
    expect(w.level(W1, P2)).toBe(100);
  });

  it('flags an arrival whose departure was rejected, and still counts the goods', () => {
    const w = new World();
    w.apply([ev('departure')], opts.now, 0);
    w.apply([ev('arrival')]);
    const m = w.movement();
    expect(movementStatus(m)).toBe('rejected');
    expect(m.anomalies.map((a) => a.code)).toEqual(['arrival_for_rejected_departure']);
    expect(w.level(W2)).toBe(100);
  });
});

describe('applyBatch: invariants under random interleavings', () => {
  const hex = (n: number) => n.toString(16).padStart(12, '0');

  it('never goes negative, ledger sums to stock, batching and duplicates do not matter', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = seededRandom(seed);
      const warehouses = [W1, W2, 'f0000000-0000-4000-8000-000000000003'];
      const events: MovementEvent[] = [];
      warehouses.forEach((wh, i) =>
        events.push(
          ev('inventory', {
            movement: `a0000000-0000-4000-8000-${hex(i)}`,
            warehouse: wh,
            quantity: Math.floor(rand() * 50),
          }),
        ),
      );
      for (let i = 0; i < 60; i++) {
        const from = warehouses[Math.floor(rand() * 3)]!;
        const to = warehouses[Math.floor(rand() * 3)]!;
        const q = 1 + Math.floor(rand() * 30);
        const id = `b0000000-0000-4000-8000-${hex(i)}`;
        if (rand() < 0.9)
          events.push(ev('departure', { movement: id, warehouse: from, quantity: q }));
        if (rand() < 0.9)
          events.push(
            ev('arrival', { movement: id, warehouse: to, quantity: q - (rand() < 0.2 ? 1 : 0) }),
          );
      }
      for (let i = events.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [events[i], events[j]] = [events[j]!, events[i]!];
      }
      const withDupes = events.flatMap((e) => (rand() < 0.2 ? [e, e] : [e]));

      const oneBatch = new World();
      const r = oneBatch.apply(withDupes);
      for (const c of r.changes) expect(c.balance).toBeGreaterThanOrEqual(0);

      const batched = new World();
      const ledger: number[] = [];
      for (let i = 0; i < withDupes.length;) {
        const size = 1 + Math.floor(rand() * 7);
        const res = batched.apply(withDupes.slice(i, i + size));
        for (const c of res.changes) {
          expect(c.balance).toBeGreaterThanOrEqual(0);
          ledger.push(c.delta);
        }
        i += size;
      }
      for (const q of batched.stock.values()) expect(q).toBeGreaterThanOrEqual(0);
      const total = [...batched.stock.values()].reduce((a, b) => a + b, 0);
      expect(ledger.reduce((a, b) => a + b, 0)).toBe(total);
      // Redelivering everything changes nothing.
      const replay = batched.apply(withDupes);
      expect(replay.changes).toEqual([]);
      expect(replay.movements.size).toBe(0);
    }
  });
});

describe('isoDuration', () => {
  it('formats seconds as ISO 8601 durations', () => {
    expect(isoDuration(0)).toBe('PT0S');
    expect(isoDuration(59.5)).toBe('PT59.5S');
    expect(isoDuration(90061)).toBe('P1DT1H1M1S');
    expect(isoDuration(86400)).toBe('P1D');
    expect(isoDuration(-60)).toBe('-PT1M');
  });
});
