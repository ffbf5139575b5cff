import avro from 'avsc';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { saleAvroSchema, saleAvroType } from '../../domain/sale-schema.js';
import type { Sale } from '../../domain/sale.js';
import { toWireFormat } from '../../lib/kafka/confluent-wire.js';
import { SOURCE_HEADER } from '../../lib/kafka/provenance.js';
import { compileAvroTsv, type AvroTsv } from '../../processors/sink/avro-tsv.js';
import { salesTable } from '../../processors/sink/sink-tables.js';
import { TsvBuffer, tsvLine } from '../../processors/sink/tsv.js';
import { generatedSales } from '../fixtures/sales.js';

// The sink's fast path must write exactly the row the generic path (avsc decode → toRow → TSV)
// writes, or write nothing and leave the message to the generic path.

const batch = { topic: 'sales\tvalidated', partition: 2 };
const avroSpec = salesTable.avro!;

function message(value: Buffer, offset: number, source?: string): KafkaMessage {
  return {
    key: null,
    value,
    offset: String(offset),
    timestamp: '0',
    attributes: 0,
    size: value.length,
    headers: source === undefined ? {} : { [SOURCE_HEADER]: Buffer.from(source) },
  } as unknown as KafkaMessage;
}

const wire = (sale: Sale, type: avro.Type = saleAvroType) => toWireFormat(7, type.toBuffer(sale));

/** The generic path's line, or its reason for not writing one. */
function generic(m: KafkaMessage, type: avro.Type = saleAvroType): string {
  const row = salesTable.toRow(type.fromBuffer(m.value!.subarray(5)), m, {
    ...batch,
    offset: m.offset,
  });
  return typeof row === 'string' ? `dead: ${row}` : tsvLine(salesTable)(row);
}

function fast(t: AvroTsv, m: KafkaMessage): { line?: string; id?: string; written: number } {
  const out = new TsvBuffer(16);
  out.text('x'); // rows go after what is already there
  const id = t.write(out, m, batch);
  const body = out.body().toString('utf8');
  return { id, written: out.length - 1, line: id === undefined ? undefined : body.slice(1) };
}

const transcoder = () => compileAvroTsv(saleAvroType, avroSpec.columns, avroSpec.identity)!;

describe('Avro → TSV fast path', () => {
  it('covers every sales column in order', () => {
    expect(avroSpec.columns).toHaveLength(salesTable.columns.length);
    expect(salesTable.seenColumns).toEqual([salesTable.columns[0]]);
    expect(avroSpec.columns[0]).toEqual({ from: 'identity' });
  });

  it('writes the generic row byte for byte, hostile text included', () => {
    const t = transcoder();
    const hostile = ['a\tb', 'line\nbreak', 'back\\slash', 'cr\r', 'nul\0', "'; DROP TABLE x; --"];
    const sales = generatedSales(500, 9).map((s, i) => ({
      ...s,
      BRAND: hostile[i % hostile.length]!,
      ID_BUYER: i % 7 === 0 ? `b\t${i}` : s.ID_BUYER,
      DATE_PAYMENT: i % 50 === 0 ? 999 : s.DATE_PAYMENT, // short DateTime values are padded
      REVENUE: i % 11 === 0 ? '0.05' : i % 13 === 0 ? '9999999999999.99' : s.REVENUE,
      QUANTITY: i % 17 === 0 ? 2_147_483_647 : s.QUANTITY,
    }));
    sales.forEach((sale, i) => {
      const m = message(wire(sale), 1_000 + i, i % 5 === 0 ? undefined : `kafka:raw\n:0:${i}`);
      const got = fast(t, m);
      expect(got.line).toBe(generic(m));
      expect(got.id).toBe(i % 5 === 0 ? `sales\tvalidated:2:${1_000 + i}` : `kafka:raw\n:0:${i}`);
    });
  });

  it('leaves what it cannot write exactly to the generic path, writing nothing', () => {
    const t = transcoder();
    const [sale] = generatedSales(1, 3);
    const cases: [string, Buffer][] = [
      ['non-ASCII text', wire({ ...sale!, BRAND: 'Müller' })],
      ['a revenue that is not canonical', wire({ ...sale!, REVENUE: '01.50' })],
      ['a revenue of 14 integer digits', wire({ ...sale!, REVENUE: '12345678901234.00' })],
      ['trailing bytes', Buffer.concat([wire(sale!), Buffer.from([0])])],
      ['a truncated body', wire(sale!).subarray(0, 20)],
      ['no magic byte', Buffer.from([1, 0, 0, 0, 7, 2, 0x31])],
    ];
    for (const [what, value] of cases) {
      const got = fast(t, message(value, 1, 'kafka:raw:0:1'));
      expect(got, what).toEqual({ id: undefined, written: 0, line: undefined });
    }
    // What the generic path makes of the ones avsc can decode: the row, or a dead letter.
    expect(generic(message(cases[0]![1], 1))).toContain('Müller');
    expect(generic(message(cases[1]![1], 1))).toMatch(/^dead: REVENUE 01\.50/);
  });

  it('reads longs beyond 32 bits and negative ints as avsc does, and leaves larger ones to it', () => {
    const t = transcoder();
    const [sale] = generatedSales(1, 4);
    const longs = [0, 1, 4_102_444_799_999, -86_400_000, 2 ** 52 - 1, -(2 ** 52)];
    for (const DATE_PAYMENT of longs) {
      const m = message(wire({ ...sale!, DATE_PAYMENT, QUANTITY: -3 }), 5, 's');
      expect(fast(t, m).line).toBe(generic(m));
    }
    // Its zigzag varint is 2^53: past what adds up exactly in a double.
    const big = message(wire({ ...sale!, DATE_PAYMENT: 2 ** 52 }), 5, 's');
    expect(fast(t, big).written).toBe(0);
    expect(generic(big)).toContain('\t4503599627370\t');
  });

  it('compiles only writer schemas it reads completely', () => {
    const withUnion = avro.Type.forSchema({
      ...saleAvroSchema,
      fields: [...saleAvroSchema.fields, { name: 'NOTE', type: ['null', 'string'], default: null }],
    } as avro.Schema);
    expect(compileAvroTsv(withUnion, avroSpec.columns, avroSpec.identity)).toBeUndefined();
    const withoutQuantity = avro.Type.forSchema({
      ...saleAvroSchema,
      fields: saleAvroSchema.fields.filter((f) => f.name !== 'QUANTITY'),
    } as avro.Schema);
    expect(compileAvroTsv(withoutQuantity, avroSpec.columns, avroSpec.identity)).toBeUndefined();
    expect(
      compileAvroTsv(avro.Type.forSchema('string'), avroSpec.columns, avroSpec.identity),
    ).toBeUndefined();
  });

  it('skips writer fields the table does not use and reads fields in the writer order', () => {
    const reordered = avro.Type.forSchema({
      ...saleAvroSchema,
      fields: [
        { name: 'EXTRA', type: 'long' },
        ...[...saleAvroSchema.fields].reverse(),
        { name: 'MORE', type: 'string' },
      ],
    } as avro.Schema);
    const t = compileAvroTsv(reordered, avroSpec.columns, avroSpec.identity)!;
    for (const sale of generatedSales(50, 5)) {
      const m = message(wire({ ...sale, EXTRA: -5, MORE: 'x\ty' } as Sale, reordered), 3, 's');
      expect(fast(t, m).line).toBe(generic(m, reordered));
    }
  });
});

describe('TsvBuffer', () => {
  it('writes integers, short and long text and grows as needed', () => {
    const out = new TsvBuffer(1);
    for (const n of [0, 7, 10, 99, 100, 123_456_789, Number.MAX_SAFE_INTEGER]) {
      out.uint(n);
      out.byte(0x20);
    }
    out.text('Кириллица 🚀 ');
    out.text('y'.repeat(100));
    expect(out.body().toString('utf8')).toBe(
      `0 7 10 99 100 123456789 ${Number.MAX_SAFE_INTEGER} Кириллица 🚀 ${'y'.repeat(100)}`,
    );
  });
});
