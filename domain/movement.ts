// A movement is a pair of legs sharing a `movement_id`: goods leave one
// warehouse (departure) and arrive at another (arrival). Legs may come in
// either order, twice, or contradicting each other; this module decides what
// each leg means. Pure: it never touches Kafka, Postgres or a clock.

export type MovementStatus =
  'in_transit' | 'completed' | 'arrived_first' | 'pending_stock' | 'rejected';

/** A departure is applied at once, held while stock is short, or rejected when the hold ends. */
export type DepartureState = 'applied' | 'pending' | 'rejected';

export interface Leg {
  /** CloudEvents `id` of the event that carried this leg. */
  readonly event_id: string;
  readonly warehouse_id: string;
  /** Warehouse code, `WH-xxxx`. */
  readonly source: string;
  readonly product_id: string;
  readonly quantity: number;
  /** `data.timestamp`: when the goods left or arrived (ISO 8601). */
  readonly at: string;
}

export interface Departure extends Leg {
  readonly state: DepartureState;
  /** Processor clock (epoch ms) when the hold began and when it ends. */
  readonly pending_since?: number;
  readonly pending_until?: number;
  readonly reject_reason?: string;
}

export type AnomalyCode =
  | 'conflicting_leg'
  | 'product_mismatch'
  | 'same_warehouse'
  | 'arrival_before_departure'
  | 'arrival_for_rejected_departure';

export interface Anomaly {
  readonly code: AnomalyCode;
  readonly detail: string;
  /** The event that revealed it. */
  readonly event_id: string;
}

export interface Movement {
  readonly movement_id: string;
  readonly departure?: Departure;
  readonly arrival?: Leg;
  readonly anomalies: readonly Anomaly[];
  /** Grows with every change; the API's ETag. */
  readonly version: number;
}

export function movementStatus(m: Movement): MovementStatus {
  const d = m.departure;
  if (d?.state === 'rejected') return 'rejected';
  if (d?.state === 'pending') return 'pending_stock';
  if (d && m.arrival) return 'completed';
  if (d) return 'in_transit';
  return 'arrived_first';
}

/** The movement's product: the departure's, else the arrival's. */
export function movementProduct(m: Movement): string | undefined {
  return m.departure?.product_id ?? m.arrival?.product_id;
}

export interface TransitFacts {
  readonly transit_seconds: number | null;
  readonly quantity_difference: number | null;
}

/** Time between the legs' own timestamps and arrival minus departure quantity, once both exist. */
export function transitFacts(m: Movement): TransitFacts {
  if (!m.departure || !m.arrival) return { transit_seconds: null, quantity_difference: null };
  const seconds = (Date.parse(m.arrival.at) - Date.parse(m.departure.at)) / 1000;
  return {
    transit_seconds: seconds,
    quantity_difference: m.arrival.quantity - m.departure.quantity,
  };
}

/** ISO 8601 duration of a non-negative number of seconds, e.g. `PT2H22M`; negative gets a leading minus. */
export function isoDuration(totalSeconds: number): string {
  const sign = totalSeconds < 0 ? '-' : '';
  let rest = Math.abs(totalSeconds);
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3_600);
  rest -= hours * 3_600;
  const minutes = Math.floor(rest / 60);
  const seconds = Math.round((rest - minutes * 60) * 1000) / 1000;
  const showSeconds = seconds > 0 || (!days && !hours && !minutes);
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${showSeconds ? `${seconds}S` : ''}`;
  return `${sign}P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

export function sameLeg(a: Leg, b: Leg): boolean {
  return (
    a.warehouse_id === b.warehouse_id &&
    a.source === b.source &&
    a.product_id === b.product_id &&
    a.quantity === b.quantity &&
    Date.parse(a.at) === Date.parse(b.at)
  );
}

export function legDifferences(a: Leg, b: Leg): string[] {
  const fields: (keyof Leg)[] = ['warehouse_id', 'source', 'product_id', 'quantity'];
  const diff = fields
    .filter((f) => a[f] !== b[f])
    .map((f) => `${f} ${String(a[f])} → ${String(b[f])}`);
  if (Date.parse(a.at) !== Date.parse(b.at)) diff.push(`timestamp ${a.at} → ${b.at}`);
  return diff;
}

/** Anomalies that appear once both legs are known. */
export function pairAnomalies(departure: Leg, arrival: Leg, eventId: string): Anomaly[] {
  const found: Anomaly[] = [];
  if (departure.product_id !== arrival.product_id) {
    found.push({
      code: 'product_mismatch',
      detail: `departure carried product ${departure.product_id}, arrival ${arrival.product_id}`,
      event_id: eventId,
    });
  }
  if (departure.warehouse_id === arrival.warehouse_id) {
    found.push({
      code: 'same_warehouse',
      detail: `arrived at the sending warehouse ${arrival.warehouse_id}`,
      event_id: eventId,
    });
  }
  if (Date.parse(arrival.at) < Date.parse(departure.at)) {
    found.push({
      code: 'arrival_before_departure',
      detail: `arrival at ${arrival.at} precedes departure at ${departure.at}`,
      event_id: eventId,
    });
  }
  return found;
}
