import type { EventKind } from '../domain/movement-event.js';
import { drawChoice, type Choice, type MovementPlan } from './movement-plan.js';
import { eventJson, type EventFields } from './movement-json.js';
import { movementTimeline } from './movement-timeline.js';
import { ExactPicker, MinHeap, Rng } from './random.js';
import { STREAM, streamSeed } from './timeline.js';
import type { GenerateOptions, GeneratedMessage } from './types.js';
import type { Warehouse, World } from './world.js';

// Warehouse movements, lazily: one stock count per warehouse×product the run
// uses (the opening stock), then movements between two warehouses, each a
// departure and, after a plausible transit, its arrival. Stock is tracked per
// warehouse×product in the order messages are published, and a departure never
// takes more than its sender has at that point: replaying the published events
// in order (counts set, departures subtract, arrivals add, exact duplicates
// ignored) never goes below zero. State: O(warehouses × products) plus the
// arrivals still in transit, in a min-heap by arrival time.

interface InTransit {
  readonly at: number;
  readonly seq: number;
  readonly id: string;
  readonly movementId: string;
  readonly receiver: number;
  readonly product: number;
  readonly quantity: number;
  readonly lost: number;
  readonly time: number;
}

/** An event's text from its kind and fields: CloudEvents JSON, or a CSV record. */
export type EventEncoder = (kind: EventKind, fields: EventFields) => string;

export function* movementMessages(
  world: World,
  plan: MovementPlan,
  options: GenerateOptions,
  encode: EventEncoder = eventJson,
): Generator<GeneratedMessage> {
  const topic = options.movementsTopic;
  const { warehouses, products } = world;
  const P = products.length;
  const rng = new Rng(streamSeed(options, STREAM.movements));
  const choices = new Rng(streamSeed(options, STREAM.choices)); // replays the plan's choices
  const stock = new Int32Array(warehouses.length * P);
  const timeline = movementTimeline(options);

  const productId = (p: number): string => products[p]?.id ?? '';
  const warehouse = (w: number): Warehouse => {
    const found = warehouses[w];
    if (found === undefined) throw new Error(`no warehouse ${w}`);
    return found;
  };
  const publishedAt = (ms: number): number => Math.floor(ms) + rng.int(0, 2_000);

  // Opening stock: one count per pair used, in the first minute of the period.
  let k = 0;
  for (let w = 0; w < warehouses.length; w++) {
    for (let p = 0; p < P; p++) {
      if (plan.used[w * P + p] !== 1) continue;
      const at =
        timeline.start + Math.floor((k++ * (timeline.countsEnd - timeline.start)) / plan.counts);
      const quantity = Math.round(rng.logNormal(300, 0.7, 20, 5_000));
      stock[w * P + p] = quantity;
      const countId = rng.uuid();
      const value = encode('inventory', {
        id: rng.uuid(),
        warehouse: warehouse(w),
        movementId: countId,
        productId: productId(p),
        quantity,
        at,
        time: publishedAt(at),
      });
      yield { topic, key: countId, value, kind: 'inventory', duplicate: false, at };
    }
  }

  const n = options.movements;
  const early = new ExactPicker(Math.round(options.outOfOrder * n), n, rng);
  const lossy = new ExactPicker(Math.round(options.losses * n), n, rng);
  let lossesOwed = 0; // a loss drawn for a movement of one unit moves to the next one that has two
  const inTransit = new MinHeap<InTransit>();
  const gap = (timeline.departuresEnd - timeline.countsEnd) / Math.max(1, n);
  let clock = timeline.countsEnd;
  let seq = 0;

  function arrive(a: InTransit, at: number, isEarly: boolean): GeneratedMessage {
    stock[a.receiver * P + a.product] = (stock[a.receiver * P + a.product] ?? 0) + a.quantity;
    const value = encode('arrival', {
      id: a.id,
      warehouse: warehouse(a.receiver),
      movementId: a.movementId,
      productId: productId(a.product),
      quantity: a.quantity,
      at: a.at,
      time: a.time,
    });
    return {
      topic,
      key: a.movementId,
      value,
      kind: 'arrival',
      duplicate: false,
      at,
      ...(isEarly ? { early: true } : {}),
      ...(a.lost > 0 ? { lost: a.lost } : {}),
    };
  }

  /** The choice, or where its sender has nothing of it, the closest one that can ship. */
  function feasible(c: Choice): Choice | undefined {
    const p = c.product;
    if ((stock[c.sender * P + p] ?? 0) > 0) return c;
    const best = richest(plan.usedBy[p] ?? [], p, c.receiver);
    if (best >= 0) return { ...c, sender: best };
    if ((stock[c.receiver * P + p] ?? 0) > 0)
      return { ...c, sender: c.receiver, receiver: c.sender };
    // Nothing of this product anywhere but in transit: ship another one.
    for (let i = 1; i < P; i++) {
      const q = (p + i) % P;
      const users = plan.usedBy[q] ?? [];
      const sender = richest(users, q, -1);
      if (sender < 0 || users.length < 2) continue;
      const others = users.filter((w) => w !== sender);
      return { sender, receiver: rng.pick(others), product: q };
    }
    return undefined;
  }

  function richest(users: readonly number[], p: number, except: number): number {
    let best = -1;
    let most = 0;
    for (const w of users) {
      const have = stock[w * P + p] ?? 0;
      if (w !== except && have > most) {
        best = w;
        most = have;
      }
    }
    return best;
  }

  for (let i = 0; i < n; i++) {
    let at = Math.max(clock, Math.floor(timeline.countsEnd + (i + rng.next()) * gap));
    for (
      let next = inTransit.peek();
      next !== undefined && next.at <= at;
      next = inTransit.peek()
    ) {
      inTransit.pop();
      yield arrive(next, next.at, false);
    }
    let choice = feasible(drawChoice(choices, world));
    while (choice === undefined) {
      // Everything is on the road: let the next arrival land first.
      const next = inTransit.pop();
      if (next === undefined) {
        throw new Error(
          'all stock was lost in transit: lower --losses or generate fewer movements',
        );
      }
      at = Math.max(at, next.at);
      yield arrive(next, next.at, false);
      choice = feasible(drawChoice(choices, world));
    }
    clock = at;

    const { sender, receiver, product } = choice;
    const available = stock[sender * P + product] ?? 0;
    const wanted = Math.round(rng.logNormal(20, 0.9, 1, 500));
    const quantity = Math.min(wanted, Math.max(1, Math.ceil(available / 2)));
    stock[sender * P + product] = available - quantity;

    if (lossy.take()) lossesOwed++;
    let lost = 0;
    if (lossesOwed > 0 && quantity >= 2) {
      lost = rng.int(1, Math.min(Math.max(1, Math.floor(quantity * 0.1)), quantity - 1));
      lossesOwed--;
    }
    const transit = rng.logNormal(
      timeline.medianTransit,
      1,
      timeline.minTransit,
      timeline.maxTransit,
    );
    const movementId = rng.uuid();
    const departure: GeneratedMessage = {
      topic,
      key: movementId,
      value: encode('departure', {
        id: rng.uuid(),
        warehouse: warehouse(sender),
        movementId,
        productId: productId(product),
        quantity,
        at,
        time: publishedAt(at),
      }),
      kind: 'departure',
      duplicate: false,
      at,
    };
    const arrivalAt = Math.floor(at + transit);
    const arrival: InTransit = {
      at: arrivalAt,
      seq: seq++,
      id: rng.uuid(),
      movementId,
      receiver,
      product,
      quantity: quantity - lost,
      lost,
      time: publishedAt(arrivalAt),
    };
    if (early.take()) {
      yield arrive(arrival, at, true);
      yield departure;
    } else {
      yield departure;
      inTransit.push(arrival);
    }
  }
  for (let next = inTransit.pop(); next !== undefined; next = inTransit.pop()) {
    yield arrive(next, next.at, false);
  }
}
