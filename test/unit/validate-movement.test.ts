import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { seededRandom } from '../../testkit/random.js';
import type { MovementData, MovementEvent } from '../../domain/movement-event.js';
import {
  movementAvroSchema,
  movementAvroType,
  movementDataAvroSchema,
} from '../../domain/movement-schema.js';
import type { ValidationResult } from '../../domain/validate-movement.js';
import { parseMovementEvent, validateMovementEvent } from '../../domain/validate-movement.js';
import type { FieldIssue } from '../../domain/field-issue.js';

type Json = Record<string, unknown>;

// The two example messages of seed 001, exactly, minus the comments.
const arrival = {
  id: 'b3b53031-e83a-4654-87f5-b6b6fb09fd99',
  source: 'WH-3423',
  specversion: '1.0',
  type: 'ru.retail.warehouses.movement',
  datacontenttype: 'application/json',
  dataschema: 'ru.retail.warehouses.movement.v1.0',
  time: 1737439421623,
  subject: 'WH-3423:ARRIVAL',
  destination: 'ru.retail.warehouses',
  data: {
    movement_id: 'c6290746-790e-43fa-8270-014dc90e02e0',
    warehouse_id: 'c1d70455-7e14-11e9-812a-70106f431230',
    timestamp: '2025-02-18T14:34:56Z',
    event: 'arrival',
    product_id: '4705204f-498f-4f96-b4ba-df17fb56bf55',
    quantity: 100,
  },
};

const departure = {
  id: 'b3b53031-e83a-4654-87f5-b6b6fb09fd99',
  source: 'WH-3322',
  specversion: '1.0',
  type: 'ru.retail.warehouses.movement',
  datacontenttype: 'application/json',
  dataschema: 'ru.retail.warehouses.movement.v1.0',
  time: 1737439421623,
  subject: 'WH-3322:DEPARTURE',
  destination: 'ru.retail.warehouses',
  data: {
    movement_id: 'c6290746-790e-43fa-8270-014dc90e02e0',
    warehouse_id: '25718666-6af6-4281-b5a6-3016e36fa557',
    timestamp: '2025-02-18T12:12:56Z',
    event: 'departure',
    product_id: '4705204f-498f-4f96-b4ba-df17fb56bf55',
    quantity: 100,
  },
};

const inventory = {
  id: 'count-2025-02-18-WH-3423-0001',
  source: 'WH-3423',
  specversion: '1.0',
  type: 'ru.retail.warehouses.inventory',
  datacontenttype: 'application/json',
  dataschema: 'ru.retail.warehouses.inventory.v1.0',
  time: 1739890800000,
  subject: 'WH-3423:INVENTORY',
  destination: 'ru.retail.warehouses',
  data: {
    movement_id: '0b8e5d0e-4f4c-4e0a-9f65-6b0f3a1c2d3e',
    warehouse_id: 'c1d70455-7e14-11e9-812a-70106f431230',
    timestamp: '2025-02-18T18:00:00.250+03:00',
    event: 'inventory',
    product_id: '4705204f-498f-4f96-b4ba-df17fb56bf55',
    quantity: 0,
  },
};

const DELETE = Symbol('delete');

/** A copy of `base` with the field at a JSON-pointer-ish path set or deleted. */
function withField(base: object, path: string, value: unknown): Json {
  const copy = structuredClone(base) as Json;
  const keys = path.split('/').slice(1);
  const last = keys.pop() ?? '';
  const parent = keys.reduce<Json>((obj, key) => obj[key] as Json, copy);
  if (value === DELETE) Reflect.deleteProperty(parent, last);
  else parent[last] = value;
  return copy;
}

function errorsOf(result: ValidationResult): FieldIssue[] {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.event)}`);
  return result.errors;
}

function eventOf(result: ValidationResult): MovementEvent {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.errors)}`);
  return result.event;
}

describe('validateMovementEvent: valid events', () => {
  it.each([
    ['arrival', arrival],
    ['departure', departure],
    ['inventory', inventory],
  ])('accepts the %s example unchanged', (_name, example) => {
    expect(eventOf(validateMovementEvent(example))).toEqual(example);
  });

  it('returns a new, deeply frozen event with exactly the schema fields', () => {
    const input = structuredClone(arrival);
    const event = eventOf(validateMovementEvent(input));
    expect(event).not.toBe(input);
    expect(event.data).not.toBe(input.data);
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.data)).toBe(true);
    expect(Object.keys(event)).toEqual(movementAvroSchema.fields.map((f) => f.name));
    expect(Object.keys(event.data)).toEqual(movementDataAvroSchema.fields.map((f) => f.name));
  });

  it('lower-cases UUIDs', () => {
    const upper = withField(arrival, '/data/movement_id', 'C6290746-790E-43FA-8270-014DC90E02E0');
    upper['data'] = {
      ...(upper['data'] as Json),
      product_id: '4705204F-498f-4F96-B4BA-DF17FB56BF55',
    };
    expect(eventOf(validateMovementEvent(upper)).data).toMatchObject({
      movement_id: 'c6290746-790e-43fa-8270-014dc90e02e0',
      product_id: '4705204f-498f-4f96-b4ba-df17fb56bf55',
    });
  });

  it.each([
    ['/data/quantity', 2_147_483_647],
    ['/data/quantity', 1],
    ['/time', 0],
    ['/time', 8.64e15],
    ['/source', 'WH-a0Zz'],
    ['/id', 'x'],
    ['/id', 'Приход №1 📦'],
    ['/destination', 'd'.repeat(200)],
    ['/data/timestamp', '2024-02-29T23:59:59.999+03:00'],
    ['/data/timestamp', '2000-02-29T00:00:00-05:30'],
    ['/data/timestamp', '2025-02-18T14:34:56.123456789Z'],
    ['/data/timestamp', '0001-01-01T00:00:00Z'],
    ['/data/timestamp', '9999-12-31T23:59:59+14:00'],
  ])('accepts %s = %j at its limits', (path, value) => {
    const input = path === '/source' ? withField(arrival, '/subject', `${value}:ARRIVAL`) : arrival;
    expect(validateMovementEvent(withField(input, path, value)).ok).toBe(true);
  });

  it('accepts a stock count of zero but not a leg of zero', () => {
    expect(validateMovementEvent(inventory).ok).toBe(true);
    expect(errorsOf(validateMovementEvent(withField(departure, '/data/quantity', 0)))).toEqual([
      {
        path: '/data/quantity',
        message:
          'data.quantity must be an integer from 1 to 2147483647 (for data.event "departure"), got number 0',
      },
    ]);
  });
});

interface Case {
  name: string;
  base?: object;
  path: string;
  value: unknown;
  errorPath?: string;
  mentions?: string[];
}

const MOVEMENT = 'ru.retail.warehouses.movement';
const INVENTORY = 'ru.retail.warehouses.inventory';

const cases: Case[] = [
  { name: 'id missing', path: '/id', value: DELETE },
  { name: 'id empty', path: '/id', value: '' },
  { name: 'id too long', path: '/id', value: 'i'.repeat(201) },
  { name: 'id not a string', path: '/id', value: 42 },
  { name: 'id with NUL', path: '/id', value: 'a\u0000b' },
  { name: 'id with a lone surrogate', path: '/id', value: 'a\ud800b' },
  { name: 'source too short', path: '/source', value: 'WH-342' },
  { name: 'source too long', path: '/source', value: 'WH-34231' },
  { name: 'source lower case prefix', path: '/source', value: 'wh-3423' },
  { name: 'source with punctuation', path: '/source', value: 'WH-34_3' },
  { name: 'source other prefix', path: '/source', value: 'XX-3423' },
  { name: 'source null', path: '/source', value: null },
  { name: 'specversion 1.1', path: '/specversion', value: '1.1' },
  { name: 'specversion a number', path: '/specversion', value: 1.0 },
  { name: 'datacontenttype other', path: '/datacontenttype', value: 'text/plain' },
  { name: 'type unknown', path: '/type', value: 'ru.retail.warehouses.other' },
  {
    name: 'type of a count on a leg',
    path: '/type',
    value: INVENTORY,
    mentions: ['type', MOVEMENT, 'arrival'],
  },
  {
    name: 'type of a leg on a count',
    base: inventory,
    path: '/type',
    value: MOVEMENT,
    mentions: ['type', INVENTORY, 'inventory'],
  },
  {
    name: 'dataschema not matching type',
    path: '/dataschema',
    value: `${INVENTORY}.v1.0`,
    mentions: ['dataschema', `type "${MOVEMENT}"`, `"${MOVEMENT}.v1.0"`, `"${INVENTORY}.v1.0"`],
  },
  { name: 'dataschema unknown version', path: '/dataschema', value: `${MOVEMENT}.v2.0` },
  { name: 'time as a string', path: '/time', value: '1737439421623' },
  { name: 'time a float', path: '/time', value: 1737439421623.5 },
  { name: 'time negative', path: '/time', value: -1 },
  { name: 'time past the last Date', path: '/time', value: 8.64e15 + 1 },
  { name: 'time NaN', path: '/time', value: NaN },
  { name: 'subject of the other leg', path: '/subject', value: 'WH-3423:DEPARTURE' },
  { name: 'subject of another source', path: '/subject', value: 'WH-9999:ARRIVAL' },
  { name: 'subject lower case', path: '/subject', value: 'WH-3423:arrival' },
  { name: 'subject free text', path: '/subject', value: 'arrival' },
  {
    name: 'subject not agreeing with source',
    path: '/source',
    value: 'WH-0001',
    errorPath: '/subject',
    mentions: ['subject', 'WH-0001:ARRIVAL'],
  },
  { name: 'destination empty', path: '/destination', value: '' },
  { name: 'destination too long', path: '/destination', value: 'd'.repeat(201) },
  { name: 'destination missing', path: '/destination', value: DELETE },
  { name: 'data missing', path: '/data', value: DELETE },
  { name: 'data null', path: '/data', value: null },
  { name: 'data an array', path: '/data', value: [] },
  { name: 'data a string', path: '/data', value: '{}' },
  { name: 'movement_id not a UUID', path: '/data/movement_id', value: 'movement-1' },
  {
    name: 'movement_id without dashes',
    path: '/data/movement_id',
    value: 'c6290746790e43fa8270014dc90e02e0',
  },
  {
    name: 'movement_id in braces',
    path: '/data/movement_id',
    value: '{c6290746-790e-43fa-8270-014dc90e02e0}',
  },
  {
    name: 'warehouse_id with a non-hex digit',
    path: '/data/warehouse_id',
    value: 'g1d70455-7e14-11e9-812a-70106f431230',
  },
  { name: 'warehouse_id a number', path: '/data/warehouse_id', value: 1 },
  { name: 'product_id empty', path: '/data/product_id', value: '' },
  { name: 'timestamp 30 February', path: '/data/timestamp', value: '2025-02-30T00:00:00Z' },
  { name: 'timestamp 29 February 2023', path: '/data/timestamp', value: '2023-02-29T00:00:00Z' },
  { name: 'timestamp month 13', path: '/data/timestamp', value: '2025-13-01T00:00:00Z' },
  { name: 'timestamp 25 hours', path: '/data/timestamp', value: '2025-02-18T25:00:00Z' },
  { name: 'timestamp 60 minutes', path: '/data/timestamp', value: '2025-02-18T14:60:00Z' },
  { name: 'timestamp leap second', path: '/data/timestamp', value: '2016-12-31T23:59:60Z' },
  { name: 'timestamp without zone', path: '/data/timestamp', value: '2025-02-18T14:34:56' },
  { name: 'timestamp date only', path: '/data/timestamp', value: '2025-02-18' },
  { name: 'timestamp with space', path: '/data/timestamp', value: '2025-02-18 14:34:56Z' },
  { name: 'timestamp basic offset', path: '/data/timestamp', value: '2025-02-18T14:34:56+0300' },
  { name: 'timestamp bad offset', path: '/data/timestamp', value: '2025-02-18T14:34:56+24:00' },
  { name: 'timestamp year 0', path: '/data/timestamp', value: '0000-01-01T00:00:00Z' },
  { name: 'timestamp epoch ms', path: '/data/timestamp', value: 1739889296000 },
  { name: 'event upper case', path: '/data/event', value: 'ARRIVAL' },
  { name: 'event unknown', path: '/data/event', value: 'teleport' },
  { name: 'event null', path: '/data/event', value: null },
  {
    name: 'quantity 0 on a leg',
    path: '/data/quantity',
    value: 0,
    mentions: ['quantity', 'from 1'],
  },
  {
    name: 'quantity negative on a count',
    base: inventory,
    path: '/data/quantity',
    value: -1,
    mentions: ['quantity', 'from 0'],
  },
  {
    name: 'quantity a float',
    path: '/data/quantity',
    value: 1.5,
    mentions: ['quantity', 'number 1.5'],
  },
  {
    name: 'quantity a string',
    path: '/data/quantity',
    value: '100',
    mentions: ['quantity', 'string "100"'],
  },
  { name: 'quantity NaN', path: '/data/quantity', value: NaN },
  { name: 'quantity Infinity', path: '/data/quantity', value: Infinity },
  { name: 'quantity over Avro int', path: '/data/quantity', value: 2_147_483_648 },
  { name: 'quantity missing', path: '/data/quantity', value: DELETE, mentions: ['missing'] },
];

describe('validateMovementEvent: one broken rule, one error', () => {
  it.each(cases)('$name', ({ base = arrival, path, value, errorPath = path, mentions }) => {
    const errors = errorsOf(validateMovementEvent(withField(base, path, value)));
    expect(errors.map((e) => e.path)).toEqual([errorPath]);
    const field = errorPath.split('/').slice(1).join('.');
    for (const mention of mentions ?? [field]) expect(errors[0]?.message).toContain(mention);
    expect(errors[0]?.message.length).toBeLessThan(300);
  });
});

describe('validateMovementEvent: many problems', () => {
  it('reports every problem of a thoroughly broken event', () => {
    const broken = {
      id: '',
      source: 'WH-1',
      specversion: '2.0',
      type: 'x',
      datacontenttype: 'text/xml',
      dataschema: 'y',
      time: -5,
      subject: 'nope',
      destination: 7,
      extra: true,
      data: {
        movement_id: 'm',
        warehouse_id: 'w',
        timestamp: 'yesterday',
        event: 'teleport',
        product_id: 'p/q',
        quantity: -1,
        colour: 'red',
      },
    };
    const paths = errorsOf(validateMovementEvent(broken)).map((e) => e.path);
    expect(new Set(paths)).toEqual(
      new Set([
        '/extra',
        '/id',
        '/source',
        '/specversion',
        '/type',
        '/datacontenttype',
        '/dataschema',
        '/time',
        '/subject',
        '/destination',
        '/data/colour',
        '/data/movement_id',
        '/data/warehouse_id',
        '/data/timestamp',
        '/data/event',
        '/data/product_id',
        '/data/quantity',
      ]),
    );
    expect(paths).toHaveLength(17);
  });

  it('reports every missing field', () => {
    expect(errorsOf(validateMovementEvent({})).map((e) => e.path)).toEqual(
      movementAvroSchema.fields.map((f) => `/${f.name}`),
    );
    const dataPaths = errorsOf(validateMovementEvent({ ...arrival, data: {} })).map((e) => e.path);
    expect(new Set(dataPaths)).toEqual(
      new Set(movementDataAvroSchema.fields.map((f) => `/data/${f.name}`)),
    );
    expect(errorsOf(validateMovementEvent({})).every((e) => e.message.includes('missing'))).toBe(
      true,
    );
  });

  it('reports both legs of a type and dataschema swap', () => {
    const swapped = { ...arrival, type: INVENTORY, dataschema: `${INVENTORY}.v1.0` };
    expect(errorsOf(validateMovementEvent(swapped)).map((e) => e.path)).toEqual([
      '/type',
      '/dataschema',
    ]);
  });
});

describe('validateMovementEvent: unknown fields', () => {
  it('rejects unknown fields at the top level and in data, naming them', () => {
    const input = withField(withField(arrival, '/traceparent', '00-abc'), '/data/colour', 'red');
    const errors = errorsOf(validateMovementEvent(input));
    expect(errors.map((e) => e.path)).toEqual(['/traceparent', '/data/colour']);
    expect(errors[0]?.message).toContain('unknown field "traceparent"');
    expect(errors[1]?.message).toContain('unknown field "colour"');
  });

  it('escapes unknown field names in paths', () => {
    const errors = errorsOf(validateMovementEvent({ ...arrival, 'a/b~c': 1 }));
    expect(errors.map((e) => e.path)).toEqual(['/a~1b~0c']);
  });

  it('lists at most 20 unknown fields and counts the rest', () => {
    const extra = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`x${i}`, i]));
    const errors = errorsOf(validateMovementEvent({ ...arrival, ...extra }));
    expect(errors).toHaveLength(21);
    expect(errors.at(-1)).toEqual({ path: '', message: '10 more unknown fields not listed' });
  });

  it('ignores inherited properties', () => {
    const input = Object.assign(Object.create({ injected: 1 }) as Json, arrival);
    expect(validateMovementEvent(input).ok).toBe(true);
  });
});

describe('validateMovementEvent: messages', () => {
  it('says what was expected and what was got, briefly', () => {
    const errors = errorsOf(validateMovementEvent({ ...arrival, id: 'x'.repeat(5000) }));
    expect(errors[0]?.message).toBe(
      `id must be a non-empty string of at most 200 characters without NUL or lone surrogates, got string "${'x'.repeat(60)}"... (5000 characters)`,
    );
    const nested = errorsOf(validateMovementEvent({ ...arrival, data: { a: 'y'.repeat(500) } }));
    expect(nested[0]?.message.length).toBeLessThan(200);
  });

  it.each([undefined, null, 42, 'event', [arrival], true])('rejects a root of %j', (value) => {
    const errors = errorsOf(validateMovementEvent(value));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('');
    expect(errors[0]?.message).toContain('expected a JSON object');
  });
});

describe('parseMovementEvent', () => {
  const seedJson = JSON.stringify(arrival);

  it('parses strings, Buffers and Uint8Arrays', () => {
    const expected = validateMovementEvent(arrival);
    expect(parseMovementEvent(seedJson)).toEqual(expected);
    expect(parseMovementEvent(Buffer.from(seedJson))).toEqual(expected);
    const bytes = new TextEncoder().encode(`  ${seedJson}\n`);
    expect(parseMovementEvent(bytes.subarray(1))).toEqual(expected);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(seedJson)]);
    expect(parseMovementEvent(bom)).toEqual(expected);
  });

  it.each([
    ['malformed JSON', 'not json', /^malformed JSON: Unexpected token/],
    ['truncated JSON', seedJson.slice(0, 40), /^malformed JSON: /],
    ['trailing garbage', `${seedJson}}`, /^malformed JSON: /],
    ['an empty string', '', /^empty message/],
    ['blank text', ' \n\t', /^empty message/],
    ['an empty buffer', Buffer.alloc(0), /^empty message/],
    ['null', null, /^empty message: expected a JSON object, got null$/],
    ['the JSON literal null', 'null', /expected a JSON object .*got null$/],
    ['a JSON array', '[1, 2]', /expected a JSON object .*got array \[1,2\]$/],
    ['a JSON string', '"hello"', /expected a JSON object .*got string "hello"$/],
    ['a JSON number', '42', /expected a JSON object .*got number 42$/],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), /not valid UTF-8/],
    ['a lone UTF-8 continuation byte', Buffer.from([0x80]), /not valid UTF-8/],
  ])('rejects %s with one error at the root', (_name, input, message) => {
    const errors = errorsOf(parseMovementEvent(input));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('');
    expect(errors[0]?.message).toMatch(message);
  });

  it('rejects a lone surrogate escaped in JSON', () => {
    const errors = errorsOf(parseMovementEvent(seedJson.replace('b3b53031', '\\ud800')));
    expect(errors.map((e) => e.path)).toEqual(['/id']);
  });

  it('never throws, whatever the bytes', () => {
    const next = seededRandom(7);
    for (let end = 0; end < seedJson.length; end++) {
      expect(parseMovementEvent(seedJson.slice(0, end)).ok).toBe(false);
    }
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(next() * 64) }, () => next() * 256),
      );
      expect(() => parseMovementEvent(bytes)).not.toThrow();
    }
  });
});

describe('Avro schema', () => {
  it('is the same in schemas/warehouse-movement.avsc and in movement-schema.ts', () => {
    const file = new URL('../../schemas/warehouse-movement.avsc', import.meta.url);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(movementAvroSchema);
    expect(movementAvroType.name).toBe('ru.retail.warehouses.WarehouseMovement');
  });

  it('has the fields of MovementEvent and MovementData', () => {
    type Names<S> = S extends { readonly fields: readonly { readonly name: infer N }[] }
      ? N
      : never;
    expectTypeOf<Names<typeof movementAvroSchema>>().toEqualTypeOf<keyof MovementEvent>();
    expectTypeOf<Names<typeof movementDataAvroSchema>>().toEqualTypeOf<keyof MovementData>();
    const kinds = movementDataAvroSchema.fields.find((f) => f.name === 'event')?.type;
    expect(kinds).toMatchObject({ symbols: ['departure', 'arrival', 'inventory'] });
  });

  it('encodes and decodes every generated valid event unchanged', () => {
    const generate = generator(2025);
    for (let i = 0; i < 500; i++) {
      const raw = generate();
      const event = eventOf(validateMovementEvent(raw));
      expect(movementAvroType.isValid(event, { noUndeclaredFields: true })).toBe(true);
      const decoded: unknown = movementAvroType.fromBuffer(movementAvroType.toBuffer(event));
      expect(decoded).toEqual(event);
      expect(parseMovementEvent(Buffer.from(JSON.stringify(raw)))).toEqual({ ok: true, event });
    }
  });
});

/** Valid events as upstream might send them: mixed-case UUIDs, any zone, edge values. */
function generator(seed: number): () => Json {
  const next = seededRandom(seed);
  const int = (below: number): number => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(items.length)];
    if (item === undefined) throw new Error('pick from nothing');
    return item;
  };
  const chars = (alphabet: string, length: number): string =>
    Array.from({ length }, () => pick([...alphabet])).join('');
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const hex = '0123456789abcdefABCDEF';
  const uuid = (): string => [8, 4, 4, 4, 12].map((length) => chars(hex, length)).join('-');
  // At most 90 code points, so at most 180 UTF-16 units even with emoji.
  const text = (): string => chars('abc XYZ-_.:/0123456789абвгдЁё📦€', 1 + int(90));
  const edge = (max: number, min: number): number =>
    pick([min, max, min + int(1000), int(max - min + 1) + min]);

  return () => {
    const event = pick(['departure', 'arrival', 'inventory'] as const);
    const kind = event === 'inventory' ? 'inventory' : 'movement';
    const source = `WH-${chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 4)}`;
    const year = 1 + int(9999);
    const month = 1 + int(12);
    const day = 1 + int(month === 2 ? 28 : 30);
    const fraction = pick(['', `.${chars('0123456789', 1 + int(9))}`]);
    const zone = pick(['Z', `${pick(['+', '-'])}${pad(int(24))}:${pad(int(60))}`]);
    const time = `${pad(int(24))}:${pad(int(60))}:${pad(int(60))}${fraction}${zone}`;
    return {
      id: pick([uuid(), text()]),
      source,
      specversion: '1.0',
      type: `ru.retail.warehouses.${kind}`,
      datacontenttype: 'application/json',
      dataschema: `ru.retail.warehouses.${kind}.v1.0`,
      time: edge(8.64e15, 0),
      subject: `${source}:${event.toUpperCase()}`,
      destination: text(),
      data: {
        movement_id: uuid(),
        warehouse_id: uuid(),
        timestamp: `${pad(year, 4)}-${pad(month)}-${pad(day)}T${time}`,
        event,
        product_id: uuid(),
        quantity: edge(2_147_483_647, event === 'inventory' ? 0 : 1),
      },
    };
  };
}
