import type { KafkaMessage } from 'kafkajs';
import type { TsvBuffer } from './tsv.js';
import { tsvDateTime, tsvValue } from './tsv.js';

// Avro (Confluent wire format) straight into a TabSeparated row, with no JS object or string per
// field: at 100k rows/s, decoding each message into an object of strings and writing those
// strings out again was most of the sink's CPU and garbage. It takes only what it can do exactly
// as the generic path (avsc decode → SinkTable.toRow → tsvValue) would: flat records of string,
// int, long and enum fields, ASCII text, canonical money, safe integers. Anything else makes
// `write` return undefined, and that message takes the generic path, which writes it or says why
// it cannot.

/** Where a column's value comes from, and how it is written. */
export type AvroTsvColumn =
  | {
      readonly from: 'field';
      readonly field: string;
      /**
       * text: a string or enum field, escaped; int: an int or long field in decimal;
       * epochMsToSeconds: a long of epoch milliseconds as DateTime seconds (tsvDateTime);
       * moneyCents: a canonical decimal string (`57.27`) as integer cents.
       */
      readonly as: 'text' | 'int' | 'epochMsToSeconds' | 'moneyCents';
    }
  /** The row's identity (the table's one identity column). */
  | { readonly from: 'identity' }
  | { readonly from: 'topic' | 'partition' | 'offset' };

export interface AvroTsvBatch {
  readonly topic: string;
  readonly partition: number;
}

/** Compiled for one writer schema. */
export interface AvroTsv {
  /**
   * Appends the message's row (newline included) and returns its identity, or returns undefined
   * with nothing written when the message must take the generic path.
   */
  write(out: TsvBuffer, message: KafkaMessage, batch: AvroTsvBatch): string | undefined;
}

type FieldType = 'string' | 'int' | 'long' | 'enum';
const ACCEPTS: Readonly<Record<'text' | 'int' | 'epochMsToSeconds' | 'moneyCents', FieldType[]>> = {
  text: ['string', 'enum'],
  int: ['int', 'long'],
  epochMsToSeconds: ['long', 'int'],
  moneyCents: ['string'],
};

interface WriterField {
  readonly name: string;
  readonly type: FieldType;
  readonly symbols?: readonly Buffer[];
}

/** The writer schema's fields, if it is a flat record of types this path reads. */
function writerFields(writer: unknown): WriterField[] | undefined {
  const w = writer as {
    typeName?: unknown;
    fields?: { name: string; type: { typeName?: unknown; symbols?: unknown } }[];
  };
  if (w.typeName !== 'record' || !Array.isArray(w.fields)) return undefined;
  const fields: WriterField[] = [];
  for (const f of w.fields) {
    const t = f.type.typeName;
    if (t === 'string' || t === 'int' || t === 'long') fields.push({ name: f.name, type: t });
    else if (t === 'enum' && Array.isArray(f.type.symbols)) {
      // A symbol is written as the generic path writes its string.
      const symbols = (f.type.symbols as string[]).map((s) => Buffer.from(tsvValue(s), 'utf8'));
      fields.push({ name: f.name, type: 'enum', symbols });
    } else return undefined;
  }
  return fields;
}

const TWO_POW_53 = 2 ** 53;

/**
 * The transcoder for one writer schema and the table's columns, or undefined when that schema
 * has something this path does not read (its messages then all take the generic path).
 */
export function compileAvroTsv(
  writer: unknown,
  columns: readonly AvroTsvColumn[],
  identity: (message: KafkaMessage, batch: AvroTsvBatch) => string,
): AvroTsv | undefined {
  const fields = writerFields(writer);
  if (!fields) return undefined;
  const index = new Map(fields.map((f, i) => [f.name, i]));
  for (const c of columns) {
    if (c.from !== 'field') continue;
    const i = index.get(c.field);
    if (i === undefined || !ACCEPTS[c.as].includes(fields[i]!.type)) return undefined;
  }
  const n = fields.length;
  const types = fields.map((f) => f.type);
  // Per field of the message being written: a string's byte range, a number, an enum's index.
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const num = new Float64Array(n);
  const plan = columns.map((c) => (c.from === 'field' ? { ...c, i: index.get(c.field)! } : c));
  let topicField = Buffer.alloc(0);
  let topicOf: string | undefined;

  return {
    write(out, message, batch) {
      const v = message.value;
      if (!v || v.length < 5 || v[0] !== 0) return undefined;
      // Read every field; any malformed varint or overrun leaves the message to avsc.
      let pos = 5;
      for (let f = 0; f < n; f++) {
        // Avro int and long: zigzag varints.
        let u = 0;
        let scale = 1;
        let b: number;
        do {
          if (pos >= v.length) return undefined;
          b = v[pos++]!;
          u += (b & 0x7f) * scale;
          scale *= 128;
        } while (b & 0x80);
        if (u >= TWO_POW_53) return undefined;
        const x = u % 2 === 0 ? u / 2 : -(u + 1) / 2;
        if (types[f] === 'string') {
          if (x < 0 || pos + x > v.length) return undefined;
          start[f] = pos;
          end[f] = pos + x;
          pos += x;
        } else num[f] = x;
      }
      if (pos !== v.length) return undefined;

      const id = identity(message, batch);
      const rowStart = out.length;
      for (let c = 0; c < plan.length; c++) {
        if (c > 0) out.byte(0x09);
        const p = plan[c]!;
        if (p.from === 'field') {
          const f = p.i;
          if (
            !writeField(out, v, p.as, types[f]!, fields[f]!.symbols, start[f]!, end[f]!, num[f]!)
          ) {
            out.length = rowStart;
            return undefined;
          }
        } else if (p.from === 'identity') out.text(tsvValue(id));
        else if (p.from === 'topic') {
          if (topicOf !== batch.topic) {
            topicOf = batch.topic;
            topicField = Buffer.from(tsvValue(batch.topic), 'utf8');
          }
          out.raw(topicField, 0, topicField.length);
        } else if (p.from === 'partition') out.uint(batch.partition);
        else out.text(tsvValue(message.offset));
      }
      out.byte(0x0a);
      return id;
    },
  };
}

function writeField(
  out: TsvBuffer,
  v: Buffer,
  as: 'text' | 'int' | 'epochMsToSeconds' | 'moneyCents',
  type: FieldType,
  symbols: readonly Buffer[] | undefined,
  from: number,
  to: number,
  x: number,
): boolean {
  switch (as) {
    case 'text': {
      if (type !== 'enum') return out.asciiField(v, from, to);
      const symbol = symbols?.[x];
      if (!symbol) return false;
      out.raw(symbol, 0, symbol.length);
      return true;
    }
    case 'int':
      if (x < 0) out.byte(0x2d);
      out.uint(Math.abs(x));
      return true;
    case 'epochMsToSeconds':
      out.text(tsvDateTime(Math.floor(x / 1000)));
      return true;
    case 'moneyCents': {
      const cents = moneyCents(v, from, to);
      if (cents === undefined) return false;
      out.uint(cents);
      return true;
    }
  }
}

/**
 * `0.05`, `57.27`, `1234.00` (what domain/sale.ts calls canonical) as integer cents, for up to 13
 * integer digits (cents stay safe integers); undefined for anything else.
 */
function moneyCents(v: Buffer, from: number, to: number): number | undefined {
  const dot = to - 3;
  const digits = dot - from;
  if (digits < 1 || digits > 13 || v[dot] !== 0x2e) return undefined;
  if (digits > 1 && v[from] === 0x30) return undefined;
  let cents = 0;
  for (let i = from; i < to; i++) {
    if (i === dot) continue;
    const d = v[i]! - 0x30;
    if (d < 0 || d > 9) return undefined;
    cents = cents * 10 + d;
  }
  return cents;
}
