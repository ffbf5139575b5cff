import { writerSchemaOf, type WriterSchema } from '../../lib/kafka/registry-decode.js';
import type { KafkaMessage } from 'kafkajs';
import { compileAvroTsv, type AvroTsv } from './avro-tsv.js';
import type { SinkTable } from './sink-tables.js';
import type { SinkDeps, SinkSource } from './sink-types.js';

/** A message that can never decode, whatever the registry says later: it is dead-lettered. */
class UndecodableMessage extends Error {}

/**
 * Decodes messages without a promise per message: the first message of each schema id fetches
 * its writer schema from the registry (`writerSchemaOf`); later ones are decoded synchronously
 * with that same writer type, exactly as `registry.decode` would (Confluent wire format: magic
 * byte 0, int32 id, Avro body). Once a
 * writer is known, a table with an Avro fast path gets that writer's transcoder (avro-tsv.ts).
 */
export function decoder(deps: Pick<SinkDeps, 'registry' | 'logger'>) {
  const writers = new Map<number, WriterSchema>();
  const transcoders = new Map<SinkTable, Map<number, AvroTsv | undefined>>();
  const fast = (source: SinkSource, value: Buffer): { value: unknown } | undefined => {
    if (source.format === 'json') return { value: JSON.parse(value.toString('utf8')) as unknown };
    if (value.length < 5 || value[0] !== 0) return undefined;
    const writer = writers.get(value.readInt32BE(1));
    return writer && { value: writer.fromBuffer(value.subarray(5)) };
  };
  const slow = async (value: Buffer): Promise<unknown> => {
    // A registry that does not answer throws DependencyUnavailableError: the batch comes again.
    const schema = await writerSchemaOf(deps.registry, value, {
      onRetry: (err, attempt) => deps.logger.warn({ err, attempt }, 'retrying schema fetch'),
    });
    if (!schema.ok) throw new UndecodableMessage(schema.reason);
    writers.set(schema.id, schema.writer);
    return schema.writer.fromBuffer(value.subarray(5));
  };
  return {
    value(source: SinkSource, message: KafkaMessage): unknown {
      const value = message.value ?? Buffer.alloc(0);
      const hit = fast(source, value);
      return hit ? hit.value : slow(value);
    },
    /**
     * The fast path of a source's messages, looked up once per batch: for each message, its
     * writer schema's transcoder, if there is one yet.
     */
    transcoders(source: SinkSource): (message: KafkaMessage) => AvroTsv | undefined {
      const avro = source.table.avro;
      if (!avro || source.format !== 'avro') return () => undefined;
      let byId = transcoders.get(source.table);
      if (!byId) transcoders.set(source.table, (byId = new Map<number, AvroTsv | undefined>()));
      const compiled = byId;
      return (message) => {
        const v = message.value;
        if (!v || v.length < 5 || v[0] !== 0) return undefined;
        const id = v.readInt32BE(1);
        const known = compiled.get(id);
        if (known !== undefined || compiled.has(id)) return known;
        const writer = writers.get(id);
        if (!writer) return undefined; // its first message takes the generic path
        const made = compileAvroTsv(writer, avro.columns, avro.identity);
        compiled.set(id, made);
        return made;
      };
    },
  };
}
