import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../testkit/random.js';
import type { Sale } from '../../domain/sale.js';
import { revenueCents, SALE_CATEGORIES } from '../../domain/sale.js';
import { saleAvroSchema, saleAvroType } from '../../domain/sale-schema.js';
import type { SaleValidationResult } from '../../domain/validate-sale.js';
import { parseSale, validateSale } from '../../domain/validate-sale.js';
import type { FieldIssue } from '../../domain/field-issue.js';
import { SEED_003_REQUEST, SEED_003_SALE } from '../fixtures/sales.js';

type Json = Record<string, unknown>;

const seed: Json = { ...SEED_003_REQUEST };
const seedSale: Sale = SEED_003_SALE;

const DELETE = Symbol('delete');

function withField(key: string, value: unknown, base: Json = seed): Json {
  const copy: Json = { ...base };
  if (value === DELETE) Reflect.deleteProperty(copy, key);
  else copy[key] = value;
  return copy;
}

function errorsOf(result: SaleValidationResult): FieldIssue[] {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.sale)}`);
  return result.errors;
}

function saleOf(result: SaleValidationResult): Sale {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.errors)}`);
  return result.sale;
}

describe('validateSale: valid sales', () => {
  it("accepts the seed's example and normalises it", () => {
    expect(saleOf(validateSale(seed))).toEqual(seedSale);
    expect(seedSale.DATE_PAYMENT).toBe(Date.parse('2021-01-07T00:09:24Z'));
  });

  it('returns a new, frozen sale with exactly the schema fields, in schema order', () => {
    const sale = saleOf(validateSale({ ...seed }));
    expect(Object.isFrozen(sale)).toBe(true);
    expect(Object.keys(sale)).toEqual(saleAvroSchema.fields.map((f) => f.name));
  });

  it('normalises integer identifiers to their decimal strings', () => {
    const input = { ...seed, ID_ORDER: 34033734, ID_SELLER_COUNTRY: 0, ID_BUYER: 2 ** 53 - 1 };
    expect(saleOf(validateSale(input))).toMatchObject({
      ID_ORDER: '34033734',
      ID_SELLER_COUNTRY: '0',
      ID_BUYER: '9007199254740991',
    });
  });

  it.each([['a-z.A_Z:0-9'], ['x'], ['i'.repeat(64)], ['SE'], ['00042']])(
    'accepts the identifier %j as sent',
    (id) => {
      expect(saleOf(validateSale(withField('ID_PRODUCT', id))).ID_PRODUCT).toBe(id);
    },
  );

  it.each([
    ['2021-01-07 00:09:24', '2021-01-07T00:09:24Z'],
    ['2021-01-07T00:09:24Z', '2021-01-07T00:09:24Z'],
    ['2021-01-07T02:09:24+02:00', '2021-01-07T00:09:24Z'],
    ['2021-01-06T19:39:24-04:30', '2021-01-07T00:09:24Z'],
    ['2021-01-07T00:09:24.5Z', '2021-01-07T00:09:24.500Z'],
    ['2021-01-07T00:09:24.123456789Z', '2021-01-07T00:09:24.123Z'],
    ['2024-02-29 23:59:59', '2024-02-29T23:59:59Z'],
    ['2000-01-01 00:00:00', '2000-01-01T00:00:00Z'],
    ['2099-12-31 23:59:59', '2099-12-31T23:59:59Z'],
    ['2000-01-01T00:30:00+01:00', '1999-12-31T23:30:00Z'],
  ])('reads DATE_PAYMENT %j as %s', (value, instant) => {
    expect(saleOf(validateSale(withField('DATE_PAYMENT', value))).DATE_PAYMENT).toBe(
      Date.parse(instant),
    );
  });

  it.each([
    [DELETE, ''],
    [null, ''],
    ['', ''],
    ['b'.repeat(200), 'b'.repeat(200)],
    ['Dolce & Gabbana 📦', 'Dolce & Gabbana 📦'],
  ])('takes BRAND %j as %j', (value, brand) => {
    expect(saleOf(validateSale(withField('BRAND', value))).BRAND).toBe(brand);
  });

  it.each(SALE_CATEGORIES)('accepts the category %s', (category) => {
    expect(saleOf(validateSale(withField('CATEGORY', category))).CATEGORY).toBe(category);
  });

  it.each([
    [DELETE, 1],
    [1, 1],
    [7, 7],
    [1_000_000, 1_000_000],
  ])('takes QUANTITY %j as %j', (value, quantity) => {
    expect(saleOf(validateSale(withField('QUANTITY', value))).QUANTITY).toBe(quantity);
  });
});

describe('validateSale: money is exact', () => {
  it.each([
    [0.1, '0.10'],
    [0.2, '0.20'],
    [57.27, '57.27'],
    ['57.27', '57.27'],
    [1234567890123.45, '1234567890123.45'],
    ['1234567890123.45', '1234567890123.45'],
    [9999999999999.99, '9999999999999.99'],
    ['9999999999999.99', '9999999999999.99'],
    [3, '3.00'],
    ['3', '3.00'],
    [3.5, '3.50'],
    ['3.5', '3.50'],
    [0, '0.00'],
    [-0, '0.00'],
    ['0.00', '0.00'],
    ['007.50', '7.50'],
    [0.01, '0.01'],
  ])('takes REVENUE %j as %j', (value, revenue) => {
    expect(saleOf(validateSale(withField('REVENUE', value))).REVENUE).toBe(revenue);
  });

  it('keeps cents exact where floats would not', () => {
    const cents = [0.1, 0.2].map((r) =>
      revenueCents(saleOf(validateSale(withField('REVENUE', r)))),
    );
    expect(cents).toEqual([10n, 20n]);
    expect(cents.reduce((a, b) => a + b)).toBe(30n);
    expect(0.1 + 0.2).not.toBe(0.3); // what a float sum would have stored
    expect(revenueCents({ REVENUE: '1234567890123.45' })).toBe(123456789012345n);
    expect(revenueCents({ REVENUE: '9999999999999.99' })).toBe(999999999999999n);
    expect(revenueCents({ REVENUE: '0.00' })).toBe(0n);
    expect(revenueCents({ REVENUE: '3.07' })).toBe(307n);
  });

  it('refuses to read a non-canonical amount as cents', () => {
    for (const bad of ['57.2', '057.27', '1e2', '-1.00', ''])
      expect(() => revenueCents({ REVENUE: bad })).toThrow(/not a canonical amount/);
  });
});

interface Case {
  name: string;
  key: string;
  value: unknown;
  mentions?: string[];
}

const ID_CASES: Case[] = [
  'ID_ORDER',
  'ID_PRODUCT',
  'ID_BUYER',
  'ID_SELLER',
  'ID_SELLER_COUNTRY',
  'ID_BUYER_COUNTRY',
].flatMap((key) => [
  { name: `${key} missing`, key, value: DELETE, mentions: [key, 'missing'] },
  { name: `${key} empty`, key, value: '' },
  { name: `${key} null`, key, value: null },
]);

const cases: Case[] = [
  ...ID_CASES,
  { name: 'ID_ORDER too long', key: 'ID_ORDER', value: 'i'.repeat(65) },
  { name: 'ID_ORDER with a space', key: 'ID_ORDER', value: 'a b' },
  { name: 'ID_ORDER with a slash', key: 'ID_ORDER', value: 'a/b' },
  { name: 'ID_ORDER non-ASCII', key: 'ID_ORDER', value: 'zakaz-№1' },
  { name: 'ID_ORDER negative integer', key: 'ID_ORDER', value: -1 },
  { name: 'ID_ORDER a fraction', key: 'ID_ORDER', value: 1.5 },
  { name: 'ID_ORDER unsafe integer', key: 'ID_ORDER', value: 2 ** 53 },
  { name: 'ID_ORDER a boolean', key: 'ID_ORDER', value: true },
  { name: 'ID_ORDER an object', key: 'ID_ORDER', value: { id: 1 } },
  { name: 'DATE_PAYMENT missing', key: 'DATE_PAYMENT', value: DELETE },
  { name: 'DATE_PAYMENT ISO without zone', key: 'DATE_PAYMENT', value: '2021-01-07T00:09:24' },
  { name: 'DATE_PAYMENT seed with zone', key: 'DATE_PAYMENT', value: '2021-01-07 00:09:24Z' },
  { name: 'DATE_PAYMENT seed fraction', key: 'DATE_PAYMENT', value: '2021-01-07 00:09:24.5' },
  { name: 'DATE_PAYMENT date only', key: 'DATE_PAYMENT', value: '2021-01-07' },
  { name: 'DATE_PAYMENT 30 February', key: 'DATE_PAYMENT', value: '2021-02-30 00:00:00' },
  { name: 'DATE_PAYMENT 29 Feb 2023', key: 'DATE_PAYMENT', value: '2023-02-29 00:00:00' },
  { name: 'DATE_PAYMENT 31 April', key: 'DATE_PAYMENT', value: '2021-04-31T00:00:00Z' },
  { name: 'DATE_PAYMENT month 13', key: 'DATE_PAYMENT', value: '2021-13-01 00:00:00' },
  { name: 'DATE_PAYMENT hour 24', key: 'DATE_PAYMENT', value: '2021-01-07 24:00:00' },
  { name: 'DATE_PAYMENT leap second', key: 'DATE_PAYMENT', value: '2016-12-31T23:59:60Z' },
  { name: 'DATE_PAYMENT 1999', key: 'DATE_PAYMENT', value: '1999-12-31 23:59:59' },
  { name: 'DATE_PAYMENT 2100', key: 'DATE_PAYMENT', value: '2100-01-01 00:00:00' },
  { name: 'DATE_PAYMENT offset +24', key: 'DATE_PAYMENT', value: '2021-01-07T00:09:24+24:00' },
  { name: 'DATE_PAYMENT basic offset', key: 'DATE_PAYMENT', value: '2021-01-07T00:09:24+0200' },
  { name: 'DATE_PAYMENT unpadded', key: 'DATE_PAYMENT', value: '2021-1-7 0:09:24' },
  { name: 'DATE_PAYMENT epoch ms', key: 'DATE_PAYMENT', value: 1609978164000 },
  { name: 'DATE_PAYMENT empty', key: 'DATE_PAYMENT', value: '' },
  { name: 'BRAND too long', key: 'BRAND', value: 'b'.repeat(201), mentions: ['BRAND', '200'] },
  { name: 'BRAND a number', key: 'BRAND', value: 42 },
  { name: 'BRAND with NUL', key: 'BRAND', value: 'a\u0000b' },
  { name: 'CATEGORY missing', key: 'CATEGORY', value: DELETE, mentions: ['CATEGORY', 'missing'] },
  {
    name: 'CATEGORY unknown',
    key: 'CATEGORY',
    value: 'cars',
    mentions: ['CATEGORY', 'string "cars"', ...SALE_CATEGORIES.map((c) => `"${c}"`)],
  },
  { name: 'CATEGORY upper case', key: 'CATEGORY', value: 'Clothing' },
  { name: 'CATEGORY null', key: 'CATEGORY', value: null },
  { name: 'CATEGORY empty', key: 'CATEGORY', value: '' },
  { name: 'REVENUE missing', key: 'REVENUE', value: DELETE, mentions: ['REVENUE', 'missing'] },
  {
    name: 'REVENUE 3 decimal places',
    key: 'REVENUE',
    value: 1.005,
    mentions: ['REVENUE', 'number 1.005', '3 decimal places'],
  },
  {
    name: 'REVENUE 3 decimal places as a string',
    key: 'REVENUE',
    value: '1.005',
    mentions: ['string "1.005"', '3 decimal places'],
  },
  {
    name: 'REVENUE a tiny float',
    key: 'REVENUE',
    value: 1e-7,
    mentions: ['number 1e-7', 'exponent'],
  },
  { name: 'REVENUE exponent string', key: 'REVENUE', value: '1e2', mentions: ['exponent'] },
  { name: 'REVENUE negative', key: 'REVENUE', value: -1, mentions: ['negative'] },
  { name: 'REVENUE negative string', key: 'REVENUE', value: '-0.01', mentions: ['negative'] },
  { name: 'REVENUE 10^13', key: 'REVENUE', value: 1e13, mentions: ['10^13 or more'] },
  {
    name: 'REVENUE 10^13 as a string',
    key: 'REVENUE',
    value: '10000000000000.00',
    mentions: ['10^13 or more'],
  },
  { name: 'REVENUE 1e21', key: 'REVENUE', value: 1e21, mentions: ['exponent'] },
  { name: 'REVENUE empty', key: 'REVENUE', value: '' },
  { name: 'REVENUE padded', key: 'REVENUE', value: ' 1.00' },
  { name: 'REVENUE decimal comma', key: 'REVENUE', value: '1,00' },
  { name: 'REVENUE no whole part', key: 'REVENUE', value: '.5' },
  { name: 'REVENUE trailing point', key: 'REVENUE', value: '5.' },
  { name: 'REVENUE plus sign', key: 'REVENUE', value: '+1' },
  { name: 'REVENUE hex', key: 'REVENUE', value: '0x10' },
  { name: 'REVENUE NaN', key: 'REVENUE', value: NaN },
  { name: 'REVENUE Infinity', key: 'REVENUE', value: Infinity },
  { name: 'REVENUE a boolean', key: 'REVENUE', value: true },
  { name: 'REVENUE null', key: 'REVENUE', value: null },
  { name: 'QUANTITY 0', key: 'QUANTITY', value: 0, mentions: ['QUANTITY', 'from 1 to 1000000'] },
  { name: 'QUANTITY negative', key: 'QUANTITY', value: -1 },
  { name: 'QUANTITY a fraction', key: 'QUANTITY', value: 1.5 },
  { name: 'QUANTITY a string', key: 'QUANTITY', value: '2', mentions: ['string "2"'] },
  { name: 'QUANTITY over a million', key: 'QUANTITY', value: 1_000_001 },
  { name: 'QUANTITY null', key: 'QUANTITY', value: null },
];

describe('validateSale: one broken rule, one error', () => {
  it.each(cases)('$name', ({ key, value, mentions }) => {
    const errors = errorsOf(validateSale(withField(key, value)));
    expect(errors.map((e) => e.path)).toEqual([`/${key}`]);
    for (const mention of mentions ?? [key]) expect(errors[0]?.message).toContain(mention);
    expect(errors[0]?.message.length).toBeLessThan(400);
  });
});

describe('validateSale: many problems', () => {
  it('reports every problem at once, in schema order, unknown fields last', () => {
    const broken = {
      id_order: '1',
      ID_ORDER: '',
      ID_PRODUCT: 'a b',
      ID_BUYER: -1,
      ID_SELLER: null,
      ID_SELLER_COUNTRY: 1.5,
      ID_BUYER_COUNTRY: 'x'.repeat(65),
      DATE_PAYMENT: '2021-02-30 00:00:00',
      BRAND: 7,
      CATEGORY: 'cars',
      REVENUE: 1.005,
      QUANTITY: 0,
      COUNTRY: 'DE',
    };
    expect(errorsOf(validateSale(broken)).map((e) => e.path)).toEqual([
      '/ID_ORDER',
      '/ID_PRODUCT',
      '/ID_BUYER',
      '/ID_SELLER',
      '/ID_SELLER_COUNTRY',
      '/ID_BUYER_COUNTRY',
      '/DATE_PAYMENT',
      '/BRAND',
      '/CATEGORY',
      '/REVENUE',
      '/QUANTITY',
      '/id_order',
      '/COUNTRY',
    ]);
  });

  it('reports every missing required field, and only those', () => {
    const errors = errorsOf(validateSale({}));
    expect(errors.map((e) => e.path)).toEqual(
      saleAvroSchema.fields
        .map((f) => `/${f.name}`)
        .filter((path) => path !== '/BRAND' && path !== '/QUANTITY'),
    );
    expect(errors.every((e) => e.message.includes('missing'))).toBe(true);
  });

  it('rejects unknown fields, naming them', () => {
    const errors = errorsOf(validateSale({ ...seed, DISCOUNT: 5, 'a/b~c': 1 }));
    expect(errors.map((e) => e.path)).toEqual(['/DISCOUNT', '/a~1b~0c']);
    expect(errors[0]?.message).toContain('unknown field "DISCOUNT": not in the schema of a sale');
  });

  it('lists at most 20 unknown fields and counts the rest', () => {
    const extra = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`x${i}`, i]));
    const errors = errorsOf(validateSale({ ...seed, ...extra }));
    expect(errors).toHaveLength(21);
    expect(errors.at(-1)).toEqual({ path: '', message: '5 more unknown fields not listed' });
  });

  it.each([undefined, null, 42, 'sale', [seed], true])('rejects a root of %j', (value) => {
    const errors = errorsOf(validateSale(value));
    expect(errors).toEqual([
      { path: '', message: expect.stringContaining('expected a JSON object (a sale)') as unknown },
    ]);
  });
});

describe('parseSale', () => {
  const seedJson = JSON.stringify(seed);

  it('parses strings, Buffers and Uint8Arrays', () => {
    const expected = { ok: true, sale: seedSale };
    expect(parseSale(seedJson)).toEqual(expected);
    expect(parseSale(Buffer.from(seedJson))).toEqual(expected);
    expect(parseSale(new TextEncoder().encode(` ${seedJson}\n`))).toEqual(expected);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(seedJson)]);
    expect(parseSale(bom)).toEqual(expected);
  });

  it('reads money from the JSON text exactly', () => {
    const big = seedJson.replace('57.27', '1234567890123.45').replace(/}$/, ',"QUANTITY":3}');
    const sale = saleOf(parseSale(big));
    expect(sale).toMatchObject({ REVENUE: '1234567890123.45', QUANTITY: 3 });
    expect(errorsOf(parseSale(seedJson.replace('57.27', '57.275'))).map((e) => e.path)).toEqual([
      '/REVENUE',
    ]);
    expect(errorsOf(parseSale(seedJson.replace('57.27', '1e-7'))).map((e) => e.path)).toEqual([
      '/REVENUE',
    ]);
  });

  it.each([
    ['malformed JSON', 'not json', /^malformed JSON: /],
    ['truncated JSON', seedJson.slice(0, 40), /^malformed JSON: /],
    ['an empty string', '', /^empty message/],
    ['null', null, /^empty message: expected a JSON object, got null$/],
    ['a JSON array', '[1, 2]', /expected a JSON object \(a sale\), got array \[1,2\]$/],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), /not valid UTF-8/],
  ])('rejects %s with one error at the root', (_name, input, message) => {
    const errors = errorsOf(parseSale(input));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('');
    expect(errors[0]?.message).toMatch(message);
  });

  it('never throws, whatever the bytes', () => {
    const next = seededRandom(3);
    for (let end = 0; end < seedJson.length; end++) {
      expect(parseSale(seedJson.slice(0, end)).ok).toBe(false);
    }
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(next() * 64) }, () => next() * 256),
      );
      expect(() => parseSale(bytes)).not.toThrow();
    }
  });
});

describe('Avro round trip', () => {
  it('encodes and decodes 500 generated valid sales unchanged, money and instants exact', () => {
    const generate = generator(2021);
    for (let i = 0; i < 500; i++) {
      const { raw, revenue, instant } = generate();
      const sale = saleOf(validateSale(raw));
      expect(sale.REVENUE).toBe(revenue);
      expect(sale.DATE_PAYMENT).toBe(instant);
      expect(saleAvroType.isValid(sale, { noUndeclaredFields: true })).toBe(true);
      const decoded: unknown = saleAvroType.fromBuffer(saleAvroType.toBuffer(sale));
      expect(decoded).toEqual(sale);
      expect(parseSale(Buffer.from(JSON.stringify(raw)))).toEqual({ ok: true, sale });
    }
  });
});

/** Valid sales as upstream might send them, with the revenue and instant they must come out as. */
function generator(seedValue: number): () => { raw: Json; revenue: string; instant: number } {
  const next = seededRandom(seedValue);
  const int = (below: number): number => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(items.length)];
    if (item === undefined) throw new Error('pick from nothing');
    return item;
  };
  const chars = (alphabet: string, length: number): string =>
    Array.from({ length }, () => pick([...alphabet])).join('');
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const id = (): string | number =>
    pick([
      () => chars('0123456789', 1 + int(12)),
      () =>
        chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-', 1 + int(64)),
      () => int(2 ** 31),
      () => pick([0, Number.MAX_SAFE_INTEGER]),
    ])();
  const cents = (): bigint =>
    pick([
      () => 0n,
      () => 999_999_999_999_999n, // 9999999999999.99, the largest amount
      () => BigInt(int(100_000)),
      () => BigInt(int(1e9)) * 1_000_000n + BigInt(int(1e6)),
    ])();

  return () => {
    const c = cents();
    const revenue = `${c / 100n}.${pad(Number(c % 100n))}`;
    const year = 2000 + int(100);
    const month = 1 + int(12);
    const day = 1 + int(month === 2 ? 28 : 30);
    const clock = `${pad(int(24))}:${pad(int(60))}:${pad(int(60))}`;
    const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
    const fraction = pick(['', `.${chars('0123456789', 1 + int(3))}`]);
    const zone = pick(['Z', `${pick(['+', '-'])}${pad(int(24))}:${pad(int(60))}`]);
    const [payment, instant] = pick([
      [`${date} ${clock}`, Date.parse(`${date}T${clock}Z`)],
      [`${date}T${clock}${fraction}${zone}`, Date.parse(`${date}T${clock}${fraction}${zone}`)],
    ] as const);
    const raw: Json = {
      ID_ORDER: id(),
      ID_PRODUCT: id(),
      ID_BUYER: id(),
      ID_SELLER: id(),
      ID_SELLER_COUNTRY: id(),
      ID_BUYER_COUNTRY: id(),
      DATE_PAYMENT: payment,
      CATEGORY: pick(SALE_CATEGORIES),
      // As a JSON number, as written, or as a string with 0 to 2 decimals.
      REVENUE: pick([Number(revenue), revenue, revenue.replace(/\.?0+$/, '') || '0']),
    };
    if (next() < 0.7) raw.BRAND = pick([null, '', chars('abc XYZ-&.€📦', 1 + int(100))]);
    if (next() < 0.5) raw.QUANTITY = pick([1, 1_000_000, 1 + int(1000)]);
    return { raw, revenue, instant };
  };
}
