import { ch, sql } from '../lib/clickhouse/sql.js';
import type { Runtime } from '../lib/runtime.js';
import { loadDemoReference, type ReferenceImporter } from './demo-reference.js';
import { publishDemoData } from './index.js';

export interface DemoOnStartOptions {
  /**
   * The import job for reference files, e.g. `(r) => importReferenceFile(rt, r)`
   * (ingest/imports/reference-import.ts): generator/ may not import ingest/ itself. Without
   * it, the demo dataset comes without its countries, warehouses and products.
   */
  readonly importReference?: ReferenceImporter;
}

/**
 * A newcomer's first API call should show real numbers: when stockflow holds
 * no movements and no sales yet, load the demo world's reference data through
 * the import job and publish the small demo dataset (DEMO_DATA=off turns this
 * off). The events go through the raw topics like any upstream's data.
 */
export async function publishDemoIfEmpty(
  rt: Runtime,
  options: DemoOnStartOptions = {},
): Promise<void> {
  const movements = await rt.pool.query<{ present: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM movements) AS present',
  );
  const count = sql`SELECT count() AS n FROM ${ch.identifier(rt.config.clickhouseDatabase)}.sales`;
  const sales = await (
    await rt.clickhouse.query({ query: count.text, format: 'JSONEachRow' })
  ).json<{ n: string }>();
  if (movements.rows[0]?.present || Number(sales[0]?.n ?? 0) > 0) {
    rt.logger.info('data present: no demo dataset published');
    return;
  }
  rt.logger.info('empty system: publishing the demo dataset (DEMO_DATA=off to skip)');
  if (options.importReference) {
    // Names for the answers; the events do not need it, so a failure here stops only this part.
    await loadDemoReference(options.importReference, { logger: rt.logger }).catch((err: unknown) =>
      rt.logger.warn({ err }, 'could not load the demo reference data'),
    );
  } else {
    rt.logger.warn('no reference import given: the demo dataset comes without reference data');
  }
  await publishDemoData({ kafka: rt.kafka, config: rt.config, logger: rt.logger });
}
