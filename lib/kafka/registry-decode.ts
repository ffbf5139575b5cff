import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { DependencyUnavailableError, errorMessage } from '../errors.js';
import { retry } from '../retry.js';

/** A message's value decoded, or why it never will be (the message's fault: dead-letter it). */
export type RegistryDecoded =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/** What the registry client hands back for a schema id: something that reads an Avro body. */
export interface WriterSchema {
  fromBuffer(body: Buffer): unknown;
}

/**
 * The registry's HTTP status in a client error. The client reports a refused or reset
 * connection as status 400 (mappersmith's client error) and retries only 5xx itself.
 */
function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** 404 is the registry's final answer that the id is not there: the message's fault. */
const unknownSchema = (err: unknown) => statusOf(err) === 404;
/** Any other HTTP failure is the registry's, not the message's: ask again. */
const registryFailed = (err: unknown) => {
  const status = statusOf(err);
  return status !== undefined && status !== 404;
};

export interface RegistryDecodeOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * The writer schema of a Confluent-framed message (magic byte 0, int32 schema id, Avro body),
 * telling a message that can never decode from a registry that did not answer. Dead-lettering
 * on a registry hiccup would lose valid events (a reset connection was enough), so only the
 * message's own faults come back as `{ ok: false }`; when the registry stays unreachable after
 * capped retries this throws `DependencyUnavailableError`, and the batch fails uncommitted and
 * comes again.
 */
export async function writerSchemaOf(
  registry: Pick<SchemaRegistry, 'getSchema'>,
  value: Buffer,
  options: RegistryDecodeOptions = {},
): Promise<{ ok: true; id: number; writer: WriterSchema } | { ok: false; reason: string }> {
  if (value.length < 5 || value[0] !== 0) {
    return {
      ok: false,
      reason: 'not in the Confluent wire format (magic byte 0, a schema id, the Avro body)',
    };
  }
  const id = value.readInt32BE(1);
  try {
    const writer = await retry(() => registry.getSchema(id), {
      isTransient: registryFailed,
      maxAttempts: options.maxAttempts ?? 6,
      baseDelayMs: options.baseDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 2_000,
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    });
    return { ok: true, id, writer };
  } catch (err) {
    if (unknownSchema(err)) return { ok: false, reason: `schema id ${id} is not in the registry` };
    if (registryFailed(err)) {
      throw new DependencyUnavailableError(
        'schema_registry',
        `could not fetch schema id ${id}: ${errorMessage(err)}`,
        { cause: err },
      );
    }
    return { ok: false, reason: `schema id ${id} is not usable: ${errorMessage(err)}` };
  }
}

/** Decodes one message's value with its writer schema; see `writerSchemaOf` for what throws. */
export async function decodeRegistered(
  registry: Pick<SchemaRegistry, 'getSchema'>,
  value: Buffer,
  options?: RegistryDecodeOptions,
): Promise<RegistryDecoded> {
  const schema = await writerSchemaOf(registry, value, options);
  if (!schema.ok) return schema;
  try {
    return { ok: true, value: schema.writer.fromBuffer(value.subarray(5)) };
  } catch (err) {
    return { ok: false, reason: `not a decodable Avro message: ${errorMessage(err)}` };
  }
}
