/**
 * Confluent wire format: magic byte 0, the schema's registry id (int32 big
 * endian), then the Avro binary body — what @kafkajs/confluent-schema-registry
 * encodes and decodes, built here without an await per message.
 */
export function toWireFormat(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out.writeUInt8(0, 0);
  out.writeInt32BE(schemaId, 1);
  body.copy(out, 5);
  return out;
}
