// The Avro schema of a validated warehouse event, as a constant so that
// `domain/` never reads files. schemas/warehouse-movement.avsc is the same
// schema for upstream teams and the registry; a unit test keeps them equal.
import avro from 'avsc';

// An annotation only: avsc has no uuid logical type, so these stay plain strings.
const uuidString = { type: 'string', logicalType: 'uuid' } as const;

export const movementDataAvroSchema = {
  type: 'record',
  name: 'MovementData',
  doc: 'One leg of a movement, or a stock count.',
  fields: [
    {
      name: 'movement_id',
      type: uuidString,
      doc: "Lower-case UUID; the same for the departure and the arrival of one movement. For a stock count, the count's own id.",
    },
    {
      name: 'warehouse_id',
      type: uuidString,
      doc: 'Lower-case UUID of the warehouse where this happened.',
    },
    {
      name: 'timestamp',
      type: 'string',
      doc: "When it happened at the warehouse: ISO 8601 date-time with a zone ('Z' or '+hh:mm'), as sent, e.g. '2025-02-18T14:34:56Z'.",
    },
    {
      name: 'event',
      doc: 'What kind of event this is.',
      type: {
        type: 'enum',
        name: 'EventKind',
        doc: 'departure and arrival are the two legs of a movement; inventory is a stock count.',
        symbols: ['departure', 'arrival', 'inventory'],
      },
    },
    {
      name: 'product_id',
      type: 'string',
      doc: "The product: a lower-case UUID, or the catalog's id of it (e.g. '13681706', 'item1').",
    },
    {
      name: 'quantity',
      type: 'int',
      doc: 'Units moved (at least 1 for departure/arrival) or counted (0 or more for inventory).',
    },
  ],
} as const;

export const movementAvroSchema = {
  type: 'record',
  name: 'WarehouseMovement',
  namespace: 'ru.retail.warehouses',
  doc: 'One warehouse event: a CloudEvents 1.0 envelope whose data is one leg (departure or arrival) of a movement between warehouses, or a stock count (inventory). Registered with BACKWARD compatibility: later versions may only add fields that have a default (e.g. ["null", T] with default null) or enum symbols, never remove or retype fields.',
  fields: [
    {
      name: 'id',
      type: 'string',
      doc: 'CloudEvents id: any non-empty string of at most 200 characters. Both legs of a movement may carry the same id.',
    },
    {
      name: 'source',
      type: 'string',
      doc: "Sending warehouse: 'WH-' followed by four letters or digits, e.g. 'WH-3423'.",
    },
    {
      name: 'specversion',
      type: 'string',
      doc: "CloudEvents spec version; always '1.0'.",
    },
    {
      name: 'type',
      type: 'string',
      doc: "'ru.retail.warehouses.movement' for departure/arrival, 'ru.retail.warehouses.inventory' for a stock count.",
    },
    {
      name: 'datacontenttype',
      type: 'string',
      doc: "Always 'application/json'.",
    },
    {
      name: 'dataschema',
      type: 'string',
      doc: "'ru.retail.warehouses.movement.v1.0' or 'ru.retail.warehouses.inventory.v1.0', matching type.",
    },
    {
      name: 'time',
      type: 'long',
      doc: 'When the event was produced, in epoch milliseconds (UTC). A plain long, not timestamp-millis, so that it decodes to a number everywhere.',
    },
    {
      name: 'subject',
      type: 'string',
      doc: "'<source>:DEPARTURE', '<source>:ARRIVAL' or '<source>:INVENTORY', agreeing with source and data.event.",
    },
    {
      name: 'destination',
      type: 'string',
      doc: "Routing destination as sent by the warehouse, e.g. 'ru.retail.warehouses'; at most 200 characters.",
    },
    {
      name: 'data',
      doc: 'What happened at the warehouse.',
      type: movementDataAvroSchema,
    },
  ],
} as const;

// avsc's schema typings want mutable arrays, which `as const` rules out.
export const movementAvroType = avro.Type.forSchema(
  movementAvroSchema as unknown as Parameters<typeof avro.Type.forSchema>[0],
);
