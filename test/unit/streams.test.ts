import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { encodeValidated } from '../../ingest/codec.js';
import { movementsStream, salesStream, STREAMS } from '../../ingest/streams/index.js';
import { movementEvent } from '../../testkit/movement-events.js';
import { SEED_003_REQUEST, SEED_003_SALE } from '../fixtures/sales.js';

const fromWireFormat = (b: Buffer) => ({ schemaId: b.readInt32BE(1), payload: b.subarray(5) });

describe('stream descriptors', () => {
  const config = loadConfig({ KAFKA_TOPIC: 'moves', KAFKA_SALES_TOPIC: 'lines' });

  it('give every stream its own topics, consumer group and HTTP path', () => {
    const names = STREAMS.map((s) => s.topics(config)).flatMap((t) => [t.raw, t.validated, t.dlq]);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(STREAMS.map((s) => s.consumer)).size).toBe(STREAMS.length);
    const paths = STREAMS.flatMap((s) => (s.http ? [s.http.path] : []));
    expect(new Set(paths).size).toBe(paths.length);
    // Deployed consumer groups: renaming one would replay its raw topic from the start.
    expect(STREAMS.map((s) => s.consumer)).toEqual(['ingest', 'ingest-sales', 'ingest-orders']);
    expect(movementsStream.topics(config)).toEqual({
      raw: 'moves',
      validated: 'moves.validated',
      dlq: 'moves.dlq',
    });
  });

  it('parse raw bytes and validate decoded JSON to the same value', () => {
    const event = movementEvent('departure');
    const fromBytes = movementsStream.parse(Buffer.from(JSON.stringify(event)));
    expect(fromBytes).toEqual({ ok: true, value: event });
    expect(movementsStream.validate(JSON.parse(JSON.stringify(event)))).toEqual(fromBytes);
    expect(salesStream.validate(SEED_003_REQUEST)).toEqual({ ok: true, value: SEED_003_SALE });
  });

  it('refuse malformed JSON with a reason instead of throwing', () => {
    for (const stream of STREAMS) {
      const r = stream.parse(Buffer.from('{"unterminated'));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]?.message).toMatch(/JSON/i);
    }
  });

  it('encode a valid value as Avro under the schema id, keyed as the stream says', () => {
    const event = movementEvent('arrival');
    const m = encodeValidated(movementsStream, 7, event);
    expect(m.key).toBe(event.data.movement_id);
    expect(m.headers).toEqual({ 'ce-id': event.id, 'ce-type': event.type });
    const wire = fromWireFormat(m.value as Buffer);
    expect(wire.schemaId).toBe(7);
    expect(movementsStream.avroType.fromBuffer(wire.payload)).toEqual(event);
    const sale = encodeValidated(salesStream, 9, SEED_003_SALE);
    expect(sale.key).toBe(SEED_003_SALE.ID_ORDER);
    expect(salesStream.avroType.fromBuffer(fromWireFormat(sale.value as Buffer).payload)).toEqual(
      SEED_003_SALE,
    );
  });
});
