// One import of a fact file (sales, stock counts, movement legs): each row is
// validated by its stream's own rules and produced, in large batches, to the
// stream's validated topic, where the live events go; bad rows go to failed
// rows. Every produced row carries its file identity (content hash and line),
// which the sink and the processor already deduplicate by, so a re-run after a
// crash, or a forced re-import, changes nothing twice.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Message, Producer } from 'kafkajs';
import type pg from 'pg';
import type { Config } from '../../lib/config.js';
import type { Logger } from '../../lib/logger.js';
import { sendAll } from '../../lib/kafka/produce-chunked.js';
import { SOURCE_HEADER, fileSource } from '../../lib/kafka/provenance.js';
import { encodeValidated, registerStreamSchema } from '../codec.js';
import { FACT_KINDS, columnOf, type FactKindName } from './fact-kinds.js';
import { fileRecordBatches } from './file-records.js';
import { fileRows } from './file-rows.js';
import {
  runImportJob,
  type ImportOutcome,
  type ImportRequest,
  type ImportWork,
} from './import-job.js';
import { insertFailedRows, warehouseCodes, type FailedRow } from './import-store.js';

export interface FactImportDeps {
  readonly pool: pg.Pool;
  readonly logger: Logger;
  readonly config: Config;
  readonly producer: Producer;
  readonly registry: SchemaRegistry;
}

const SEND_EVERY = 5_000;
const KEEP_FAILED_EVERY = 1_000;

export function importFactFile(
  deps: FactImportDeps,
  request: ImportRequest<FactKindName>,
): Promise<ImportOutcome> {
  return runImportJob(deps, request, factWork(deps, request));
}

/** The rows' part of a fact import: validate, produce in batches, keep the failed rows. */
export function factWork(deps: FactImportDeps, request: ImportRequest<FactKindName>): ImportWork {
  const kind = FACT_KINDS[request.kind];
  return async ({ id, sha256, progress }) => {
    const topic = kind.stream.topics(deps.config).validated;
    const schemaId = await registerStreamSchema(deps.registry, kind.stream, topic);
    const codes =
      kind.kind === 'sales' ? new Map<string, string>() : await warehouseCodes(deps.pool);
    const lookups = { warehouseCode: (w: string) => codes.get(w) };
    let messages: Message[] = [];
    let failed: FailedRow[] = [];
    let imported = 0;
    let failures = 0;
    const send = async () => {
      if (messages.length > 0) await sendAll(deps.producer, [{ topic, messages }]);
      messages = [];
    };
    const keepFailed = async () => {
      await insertFailedRows(deps.pool, id, failed);
      failed = [];
    };
    const records = fileRecordBatches(request.path, (n) => (progress.bytesDone = n));
    for await (const r of fileRows(records, kind, progress)) {
      let reasons = 'reasons' in r ? r.reasons : undefined;
      if ('row' in r) {
        const item = kind.toItem(r.row, { sha256, line: r.line }, lookups);
        const valid = item.ok ? kind.stream.validate(item.item) : undefined;
        if (!item.ok) {
          reasons = item.errors;
        } else if (valid?.ok) {
          const m = encodeValidated(kind.stream, schemaId, valid.value);
          messages.push({
            ...m,
            headers: { ...m.headers, [SOURCE_HEADER]: fileSource(sha256, r.line) },
          });
          imported++;
          if (messages.length >= SEND_EVERY) await send();
        } else if (valid) {
          const columns = Object.keys(r.row);
          reasons = valid.errors.map((e) => ({
            column: columnOf(e.path, columns, kind.kind),
            message: e.message,
          }));
        }
      }
      if (reasons) {
        failures++;
        failed.push({ line: r.line, raw: r.raw, reasons: [...reasons] });
        if (failed.length >= KEEP_FAILED_EVERY) await keepFailed();
      }
    }
    await send();
    await keepFailed();
    return { read: progress.rowsRead, imported, failed: failures, duplicate: 0 };
  };
}
