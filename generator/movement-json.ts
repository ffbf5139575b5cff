import type { EventKind } from '../domain/movement-event.js';
import { DATA_CONTENT_TYPE, EVENT_TYPES, SPEC_VERSION } from '../domain/movement-event.js';
import { isoSeconds } from './timeline.js';
import type { Warehouse } from './world.js';

const DESTINATION = 'ru.retail.warehouses';
const SUBJECTS = { departure: 'DEPARTURE', arrival: 'ARRIVAL', inventory: 'INVENTORY' } as const;

export interface EventFields {
  readonly id: string;
  readonly warehouse: Warehouse;
  readonly movementId: string;
  readonly productId: string;
  readonly quantity: number;
  /** Epoch ms of `data.timestamp`. */
  readonly at: number;
  /** The CloudEvents `time`, epoch ms. */
  readonly time: number;
}

/**
 * The CloudEvents JSON of seed 001, keys in its order. Written as text: every
 * value is a UUID, a `WH-` code, a constant, a timestamp or a number, none
 * needing escapes, and this is the generator's hottest path. The unit tests
 * check it parses back to the event.
 */
export function eventJson(kind: EventKind, f: EventFields): string {
  const types = EVENT_TYPES[kind === 'inventory' ? 'inventory' : 'movement'];
  const code = f.warehouse.code;
  return (
    `{"id":"${f.id}","source":"${code}","specversion":"${SPEC_VERSION}","type":"${types.type}",` +
    `"datacontenttype":"${DATA_CONTENT_TYPE}","dataschema":"${types.dataschema}","time":${f.time},` +
    `"subject":"${code}:${SUBJECTS[kind]}","destination":"${DESTINATION}",` +
    `"data":{"movement_id":"${f.movementId}","warehouse_id":"${f.warehouse.id}",` +
    `"timestamp":"${isoSeconds(f.at)}","event":"${kind}","product_id":"${f.productId}",` +
    `"quantity":${f.quantity}}}`
  );
}
