import { ch, sql } from '../lib/clickhouse/sql.js';
import type { Runtime } from '../lib/runtime.js';
import { publishDemoData } from './index.js';

/**
 * A newcomer's first API call should show real numbers: when stockflow holds
 * no movements and no sales yet, publish the small demo dataset (DEMO_DATA=off
 * turns this off). It goes through the raw topics like any upstream's data.
 */
export async function publishDemoIfEmpty(rt: Runtime): Promise<void> {
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
  await publishDemoData({ kafka: rt.kafka, config: rt.config, logger: rt.logger });
}
