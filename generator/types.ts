/** What a generated message is. `malformed`: broken on purpose, a copy of an event of `brokenKind`. */
export type MessageKind = 'inventory' | 'departure' | 'arrival' | 'sale' | 'malformed';

export interface GeneratedMessage {
  readonly topic: string;
  readonly key: string;
  /** The JSON text, or for a malformed message whatever broken text it carries. */
  readonly value: string;
  readonly kind: MessageKind;
  /** A second publication of a message already sent. */
  readonly duplicate: boolean;
  /** Where the message sits in simulated time (epoch ms): streams merge by it. */
  readonly at: number;
  /** For a malformed message: the kind of the event it was made from. */
  readonly brokenKind?: Exclude<MessageKind, 'malformed'>;
  /** An arrival published before its departure. */
  readonly early?: boolean;
  /** An arrival carrying fewer units than departed: how many were lost in transit. */
  readonly lost?: number;
  /** The first line of a sales order. */
  readonly newOrder?: boolean;
}

export interface GenerateOptions {
  /** Movements (a departure and its arrival each), after one stock count per warehouse×product used. */
  readonly movements: number;
  /** Sale lines (orders have 1–5 lines). */
  readonly sales: number;
  readonly seed: number;
  /** The simulated period. */
  readonly from: Date;
  readonly to: Date;
  /** Share of published messages (per topic) that are broken on purpose. */
  readonly malformed: number;
  /** Share of published messages (per topic) that are a second copy of an earlier one. */
  readonly duplicates: number;
  /** Share of movements whose arrival is published before their departure. */
  readonly outOfOrder: number;
  /** Share of movements whose arrival carries fewer units than departed. */
  readonly losses: number;
  readonly movementsTopic: string;
  readonly salesTopic: string;
}

export interface Summary {
  readonly dryRun: boolean;
  /** Stopped before the end (Ctrl-C): the counts are what was sent. */
  readonly interrupted: boolean;
  readonly seed: number;
  readonly from: string;
  readonly to: string;
  readonly topics: { readonly movements: string; readonly sales: string };
  readonly movements: {
    /** Stock counts (data.event `inventory`). */
    readonly counts: number;
    readonly departures: number;
    readonly arrivals: number;
    /** Arrivals published before their departure. */
    readonly outOfOrder: number;
    /** Arrivals with fewer units than departed. */
    readonly losses: number;
    readonly duplicates: number;
    readonly malformed: number;
    readonly messages: number;
  };
  readonly sales: {
    readonly lines: number;
    readonly orders: number;
    readonly duplicates: number;
    readonly malformed: number;
    readonly messages: number;
  };
  readonly messages: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
}
