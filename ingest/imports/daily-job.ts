// Seed 002's daily task: import every file of the inbox not imported yet, its
// kind named by its file name, reference data before the facts that name it.
// POST /trigger-job runs it now; the schedule (schedule.ts) runs it daily.
import { realpath } from 'node:fs/promises';
import type { Producer } from 'kafkajs';
import { errorMessage } from '../../lib/errors.js';
import type { Runtime } from '../../lib/runtime.js';
import type { FactImportDeps } from './fact-import.js';
import type { ImportRecord } from './import-store.js';
import { inboxFiles } from './inbox.js';
import { createJobRun, finishJobRun, type ImportJobRecord, type JobTrigger } from './job-store.js';
import { prepareImport } from './start-import.js';

/** Why a file whose name names no kind is left alone. */
export const UNNAMED = 'its name names no import kind';

export interface DailyJob {
  readonly job: ImportJobRecord;
  /** The imports queued, in the order they run. */
  readonly imports: readonly ImportRecord[];
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
  /** Runs the imports one after another and records how the run ended. */
  readonly run: () => Promise<ImportJobRecord>;
}

export interface DailyJobDeps extends FactImportDeps {
  readonly inbox: string;
}

/** What a role's imports need: its process's clients, its own producer, IMPORT_INBOX_DIR. */
export function importDeps(rt: Runtime, producer: Producer): DailyJobDeps {
  return {
    pool: rt.pool,
    logger: rt.logger,
    config: rt.config,
    producer,
    registry: rt.schemaRegistry,
    inbox: rt.config.importInboxDir,
  };
}

/** The inbox, resolved; an error that says which setting names it when it is missing. */
export async function inboxRoot(inbox: string): Promise<string> {
  return realpath(inbox).catch(() => {
    throw new Error(`the import inbox ${inbox} does not exist (IMPORT_INBOX_DIR)`);
  });
}

/**
 * Records a run and queues the imports of the inbox's new files, without running them yet;
 * undefined when this tick of the schedule has run already (in this process or another).
 */
export async function prepareDailyJob(
  deps: DailyJobDeps,
  trigger: JobTrigger,
): Promise<DailyJob | undefined> {
  const job = await createJobRun(deps.pool, trigger);
  if (!job) return undefined;
  const imports: ImportRecord[] = [];
  const runs: (() => Promise<unknown>)[] = [];
  const skipped: { file: string; reason: string }[] = [];
  try {
    for (const file of await inboxFiles(await inboxRoot(deps.inbox))) {
      if (!file.kind) {
        skipped.push({ file: file.name, reason: UNNAMED });
        continue;
      }
      const prepared = await prepareImport(deps, {
        kind: file.kind,
        path: file.path,
        jobId: job.job_id,
      });
      if ('reused' in prepared) {
        skipped.push({
          file: file.name,
          reason: `imported before, by import ${prepared.reused.import_id}`,
        });
      } else {
        imports.push(prepared.queued);
        runs.push(prepared.run);
      }
    }
  } catch (err) {
    const finished = await finishJobRun(deps.pool, job.job_id, errorMessage(err));
    return { job: finished, imports, skipped, run: () => Promise.resolve(finished) };
  }
  const log = deps.logger.child({ job_id: job.job_id });
  log.info({ imports: imports.length, skipped: skipped.length, trigger }, 'daily import job');
  return {
    job,
    imports,
    skipped,
    async run() {
      const failures: string[] = [];
      for (const [i, run] of runs.entries()) {
        // A file's import records its own failure; the job goes on with the next file.
        await run().catch((err: unknown) => failures.push(`import ${imports[i]!.import_id}: ${errorMessage(err)}`)); // prettier-ignore
      }
      return finishJobRun(deps.pool, job.job_id, failures.length ? failures.join('; ') : null);
    },
  };
}
