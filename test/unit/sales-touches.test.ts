import { describe, expect, it } from 'vitest';
import {
  firstOffsets,
  progressInsertSql,
  touchedBuyersSql,
  uncoveredRanges,
  type Positions,
} from '../../lib/clickhouse/sales-touches.js';
import { sql } from '../../lib/clickhouse/sql.js';

const at = (...entries: [string, number, bigint][]): Positions =>
  new Map(entries.map(([topic, partition, offset]) => [`${topic}\u0000${partition}`, { topic, partition, offset }])); // prettier-ignore

describe('uncoveredRanges', () => {
  const stored = at(['s', 0, 10n], ['s', 1, 5n], ['s', 2, 7n]);

  it('gives each partition past its coverage, all of it where nothing is covered', () => {
    expect(uncoveredRanges(stored, at(['s', 0, 10n], ['s', 1, 3n]))).toEqual([
      { topic: 's', partition: 1, after: 3n, upTo: null },
      { topic: 's', partition: 2, after: null, upTo: null },
    ]);
  });

  it('stops at the limit, and leaves out partitions the limit does not know', () => {
    expect(uncoveredRanges(stored, at(['s', 0, 4n]), at(['s', 0, 8n], ['s', 1, 9n]))).toEqual([
      { topic: 's', partition: 0, after: 4n, upTo: 8n },
      { topic: 's', partition: 1, after: null, upTo: 5n },
    ]);
    expect(uncoveredRanges(stored, at(['s', 0, 8n]), at(['s', 0, 8n]))).toEqual([]);
  });

  it('reads the touches of those ranges only', () => {
    const text = touchedBuyersSql(sql`db`, [
      { topic: "it's", partition: 1, after: 3n, upTo: 9n },
      { topic: 's', partition: 2, after: null, upTo: null },
    ], 11).text; // prettier-ignore
    expect(text.replace(/\s+/g, ' ')).toBe(
      "SELECT DISTINCT buyer_id FROM db.sales_line_touches WHERE (topic = 'it\\'s' AND partition = 1 AND kafka_offset > 3 AND kafka_offset <= 9) OR (topic = 's' AND partition = 2) LIMIT 11",
    );
  });
});

describe('firstOffsets', () => {
  it('bounds each range to its first offsets, from offset 0 where it starts at the first', () => {
    expect(
      firstOffsets(
        [
          { topic: 's', partition: 0, after: 10n, upTo: 100n },
          { topic: 's', partition: 1, after: 10n, upTo: 15n },
          { topic: 's', partition: 2, after: null, upTo: 100n },
          { topic: 's', partition: 3, after: 4n, upTo: null },
        ],
        20n,
      ),
    ).toEqual([
      { topic: 's', partition: 0, after: 10n, upTo: 30n },
      { topic: 's', partition: 1, after: 10n, upTo: 15n },
      { topic: 's', partition: 2, after: null, upTo: 19n },
      { topic: 's', partition: 3, after: 4n, upTo: 24n },
    ]);
  });
});

describe('progressInsertSql', () => {
  it('records each range up to its end, and refuses a range without one', () => {
    const text = progressInsertSql(sql`db`, 'seller_days_progress', [
      { topic: "it's", partition: 1, after: 3n, upTo: 9n },
    ]).text;
    expect(text.replace(/\s+/g, ' ')).toBe(
      "INSERT INTO db.`seller_days_progress` SELECT topic, toUInt32(partition), maxState(toUInt64(o)) FROM (SELECT 'it\\'s' AS topic, 1 AS partition, 9 AS o) GROUP BY topic, partition",
    );
    expect(() =>
      progressInsertSql(sql`db`, 'buyer_flags_progress', [
        { topic: 's', partition: 1, after: 3n, upTo: null },
      ]),
    ).toThrow(/upTo/);
  });
});
