import type { Rng } from './random.js';
import { ExactPicker } from './random.js';
import type { GeneratedMessage } from './types.js';

// What goes wrong upstream, in exact amounts: broken messages (copies of real
// events, broken in one of several ways, published next to the original so the
// valid stream stays whole) and second publications of a message a little
// later. Positions are drawn by selection sampling, so a share becomes an exact
// count without holding the stream.

/** Most messages between a message and its second publication. */
const MAX_DUPLICATE_DELAY = 20;

export interface FaultCounts {
  readonly malformed: number;
  readonly duplicates: number;
}

/**
 * How many broken and duplicate messages make the given shares of everything
 * published (`base` valid messages plus those), rounded.
 */
export function faultCounts(base: number, malformed: number, duplicates: number): FaultCounts {
  const valid = 1 - malformed - duplicates;
  if (base === 0 || valid <= 0) return { malformed: 0, duplicates: 0 };
  return {
    malformed: Math.min(base, Math.round((base * malformed) / valid)),
    duplicates: Math.min(base, Math.round((base * duplicates) / valid)),
  };
}

export type Corruption = (message: GeneratedMessage, rng: Rng) => string;

export function* withFaults(
  messages: Iterable<GeneratedMessage>,
  base: number,
  counts: FaultCounts,
  rng: Rng,
  corrupt: Corruption,
): Generator<GeneratedMessage> {
  const broken = new ExactPicker(counts.malformed, base, rng);
  const twice = new ExactPicker(counts.duplicates, base, rng);
  let later: { due: number; message: GeneratedMessage }[] = [];
  let index = 0;
  for (const message of messages) {
    yield message;
    if (broken.take()) {
      if (message.kind === 'malformed') throw new Error('a malformed message in the base stream');
      yield {
        ...message,
        value: corrupt(message, rng),
        kind: 'malformed',
        brokenKind: message.kind,
      };
    }
    if (twice.take()) {
      later.push({ due: index + rng.int(0, MAX_DUPLICATE_DELAY), message });
    }
    if (later.length > 0 && later.some((d) => d.due <= index)) {
      for (const d of later) if (d.due <= index) yield again(d.message, message.at);
      later = later.filter((d) => d.due > index);
    }
    index++;
  }
  for (const d of later) yield again(d.message, d.message.at);
}

function again(message: GeneratedMessage, at: number): GeneratedMessage {
  return { ...message, duplicate: true, at: Math.max(at, message.at) };
}

type Json = Record<string, unknown>;

function truncated(text: string, rng: Rng): string {
  return text.slice(0, rng.int(1, text.length - 1));
}

function brokenUuid(uuid: string, rng: Rng): string | number {
  switch (rng.int(0, 3)) {
    case 0:
      return uuid.slice(0, -2); // cut short
    case 1:
      return uuid.replace(/[0-9a-f]/, 'g'); // not hex
    case 2:
      return 'not-a-uuid';
    default:
      return rng.int(1, 99_999); // a number
  }
}

/** Each breaks a warehouse event in a way validateMovementEvent refuses. */
const MOVEMENT_BREAKS: readonly ((e: Json, data: Json, text: string, rng: Rng) => unknown)[] = [
  (_e, _d, text, rng) => truncated(text, rng),
  (_e, d) => {
    d.quantity = String(d.quantity); // a wrong type
  },
  (_e, d, _t, rng) => {
    const key = rng.pick(['movement_id', 'warehouse_id']);
    d[key] = brokenUuid(String(d[key]), rng);
  },
  (_e, d, _t, rng) => {
    // A product id may be a catalog id as well as a UUID; these are neither.
    d.product_id = rng.pick([`${String(d.product_id)}/x`, ' ', '', rng.int(1, 99_999)]);
  },
  (_e, d, _t, rng) => {
    d.quantity = -rng.int(1, 100);
  },
  (e, d, _t, rng) => {
    if (rng.chance(0.5)) delete d[rng.pick(['timestamp', 'product_id', 'event', 'quantity'])];
    else delete e[rng.pick(['id', 'source', 'time', 'type'])];
  },
  (_e, d, _t, rng) => {
    d.event = rng.pick(['transfer', 'DEPARTURE', 'return', '']);
  },
  (_e, d, _t, rng) => {
    const ts = String(d.timestamp);
    d.timestamp = rng.chance(0.5) ? ts.replace('T', ' ').replace('Z', '') : ts.slice(0, 10);
  },
  (e) => {
    e.time = new Date(Number(e.time)).toISOString(); // a string where epoch ms belong
  },
  (e, _d, _t, rng) => {
    e.source = rng.pick(['WH-12345', 'warehouse-7', 'wh_3322', '']);
  },
  (e) => {
    e.subject = `${String(e.source)}:TRANSFER`;
  },
  (_e, d, _t, rng) => {
    d[rng.pick(['comment', 'batch', 'sku'])] = 'added by an upstream that did not ask';
  },
  (_e, _d, text, rng) => (rng.chance(0.5) ? `[${text}]` : 'null'),
];

export const corruptMovement: Corruption = (message, rng) =>
  breakJson(message.value, rng, MOVEMENT_BREAKS, (e) => (isObject(e.data) ? e.data : {}));

/** Each breaks a sale line (seed 003) in one way. */
const SALE_BREAKS: readonly ((line: Json, _unused: Json, text: string, rng: Rng) => unknown)[] = [
  (_l, _u, text, rng) => truncated(text, rng),
  (l) => {
    l.REVENUE = String(l.REVENUE);
  },
  (l) => {
    l.REVENUE = -Math.abs(Number(l.REVENUE)) - 1;
  },
  (l, _u, _t, rng) => {
    l.QUANTITY = rng.pick([0, -1, 1.5, '2']);
  },
  (l, _u, _t, rng) => {
    l.CATEGORY = rng.pick(['weapons', 'Clothing', 'misc', '']);
  },
  (l, _u, _t, rng) => {
    const date = String(l.DATE_PAYMENT);
    l.DATE_PAYMENT = rng.chance(0.5) ? date.replace(' ', 'T') : date.slice(0, 10);
  },
  (l, _u, _t, rng) => {
    delete l[rng.pick(['ID_ORDER', 'ID_BUYER', 'ID_PRODUCT', 'DATE_PAYMENT', 'REVENUE'])];
  },
  (l, _u, _t, rng) => {
    const key = rng.pick(['ID_ORDER', 'ID_PRODUCT', 'ID_BUYER']);
    l[key] = Number(l[key]); // a number where a digit string belongs
  },
  (l) => {
    l.REVENUE = Number(l.REVENUE) + 0.005; // three decimals
  },
  (l) => {
    l.DISCOUNT = 0.1;
  },
];

export const corruptSale: Corruption = (message, rng) =>
  breakJson(message.value, rng, SALE_BREAKS, () => ({}));

function breakJson(
  text: string,
  rng: Rng,
  breaks: readonly ((e: Json, inner: Json, text: string, rng: Rng) => unknown)[],
  inner: (e: Json) => Json,
): string {
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed)) throw new Error('can only break a JSON object');
  const result = rng.pick(breaks)(parsed, inner(parsed), text, rng);
  return typeof result === 'string' ? result : JSON.stringify(parsed);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
