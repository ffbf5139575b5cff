// One import of a fact file (sales, stock counts, movement legs): each row is
// validated by its stream's own rules and produced, in large batches, to the
// stream's validated topic, where the live events go; bad rows go to failed
// rows. Every produced row carries its file identity (content hash and line),
// which the sink and the processor already deduplicate by, so a re-run after a
// crash, or a forced re-import, changes nothing twice.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Message, Producer } from 'kafkajs';
import type pg from 'pg';
import { headerProblem, type ColumnIssue } from '../../domain/reference-rows.js';
import type { Config } from '../../lib/config.js';
import type { Logger } from '../../lib/logger.js';
import { sendAll } from '../../lib/kafka/produce-chunked.js';
import { SOURCE_HEADER, fileSource } from '../../lib/kafka/provenance.js';
import { encodeValidated, registerStreamSchema } from '../codec.js';
import { ImportFileError } from './errors.js';
import { FACT_KINDS, columnOf, type FactKindName } from './fact-kinds.js';
import { fileRecords } from './file-records.js';
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
    let header: string[] | undefined;
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
    for await (const record of fileRecords(request.path, (n) => (progress.bytesDone = n))) {
      if (!header) {
        if ('error' in record) throw new ImportFileError(`the header is not CSV: ${record.error}`);
        header = record.fields.map((f) => f.trim());
        const problem = headerProblem(header, kind);
        if (problem) throw new ImportFileError(`not a ${kind.kind} file: ${problem}`);
        continue;
      }
      progress.rowsRead++;
      let reasons: readonly ColumnIssue[] | undefined;
      if ('error' in record) {
        reasons = [{ column: '', message: `not a CSV row: ${record.error}` }];
      } else if (record.fields.length !== header.length) {
        reasons = [
          {
            column: '',
            message: `has ${record.fields.length} fields; the header has ${header.length}`,
          },
        ];
      } else {
        const row: Record<string, string> = {};
        for (let i = 0; i < header.length; i++) row[header[i]!] = record.fields[i]!;
        const item = kind.toItem(row, { sha256, line: record.line }, lookups);
        if (!item.ok) {
          reasons = item.errors;
        } else {
          const valid = kind.stream.validate(item.item);
          if (valid.ok) {
            const m = encodeValidated(kind.stream, schemaId, valid.value);
            messages.push({
              ...m,
              headers: { ...m.headers, [SOURCE_HEADER]: fileSource(sha256, record.line) },
            });
            imported++;
            if (messages.length >= SEND_EVERY) await send();
          } else {
            const cols = header;
            reasons = valid.errors.map((e) => ({
              column: columnOf(e.path, cols, kind.kind),
              message: e.message,
            }));
          }
        }
      }
      if (reasons) {
        failures++;
        failed.push({
          line: record.line,
          raw: record.raw.replaceAll('\0', '\uFFFD'),
          reasons: [...reasons],
        });
        if (failed.length >= KEEP_FAILED_EVERY) await keepFailed();
      }
    }
    if (!header) throw new ImportFileError(`not a ${kind.kind} file: it is empty (no header row)`);
    await send();
    await keepFailed();
    return { read: progress.rowsRead, imported, failed: failures, duplicate: 0 };
  };
}
