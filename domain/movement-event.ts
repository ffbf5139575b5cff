// The warehouse event as upstream systems send it (seed 001): a CloudEvents
// 1.0 envelope in JSON whose `data` describes one leg of a movement, or a
// stock count. Pure types and constants: no I/O here.

export const SPEC_VERSION = '1.0';
export const DATA_CONTENT_TYPE = 'application/json';

/** CloudEvents `type` and `dataschema` we know, by kind of event. */
export const EVENT_TYPES = {
  movement: {
    type: 'ru.retail.warehouses.movement',
    dataschema: 'ru.retail.warehouses.movement.v1.0',
  },
  inventory: {
    type: 'ru.retail.warehouses.inventory',
    dataschema: 'ru.retail.warehouses.inventory.v1.0',
  },
} as const;

export type LegKind = 'departure' | 'arrival';
/** `inventory`: a stock count that sets a warehouse's quantity of a product. */
export type EventKind = LegKind | 'inventory';

export interface MovementData {
  /** Same for both legs of a movement; for a stock count, the count's own id. */
  readonly movement_id: string;
  readonly warehouse_id: string;
  /** ISO 8601 with a zone, as sent. */
  readonly timestamp: string;
  readonly event: EventKind;
  readonly product_id: string;
  /** Legs: a positive integer. Counts: zero or more. */
  readonly quantity: number;
}

export interface MovementEvent {
  readonly id: string;
  /** `WH-` and four characters, e.g. `WH-3423`. */
  readonly source: string;
  readonly specversion: string;
  readonly type: string;
  readonly datacontenttype: string;
  readonly dataschema: string;
  /** Epoch milliseconds. */
  readonly time: number;
  /** `<source>:ARRIVAL`, `<source>:DEPARTURE` or `<source>:INVENTORY`. */
  readonly subject: string;
  readonly destination: string;
  readonly data: MovementData;
}
