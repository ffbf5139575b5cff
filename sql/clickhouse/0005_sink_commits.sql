-- The API keys its answer cache by a data watermark, and `sink_positions`
-- alone cannot be it: its view fires partway through an insert. 18.16 writes
-- the raw block, then pushes it to the table's views one after another in
-- the order of their names, so `sales_seen`, the `seller_*` tables,
-- `stock_flow_daily` and `route_transit_daily` get the rows after the
-- position has already moved. An answer computed in between and cached under
-- the new position would lack those rows until the next insert.
--
-- The sink records here the highest offset of each insert after ClickHouse
-- has acknowledged it (every view written), and on a redelivery the position
-- already stored. The watermark reads both tables: once the last view has the
-- rows, it differs from anything read while they were still arriving.
-- (Current ClickHouse may push views in another order or in parallel; the
-- same holds there.)
--
-- Filled from the positions already stored while empty: migrations run with
-- the sink stopped, so every stored position was acknowledged.

CREATE TABLE IF NOT EXISTS {db}.sink_commits (
    topic String,
    partition UInt32,
    max_offset AggregateFunction(max, UInt64)
) ENGINE = AggregatingMergeTree ORDER BY (topic, partition);

INSERT INTO {db}.sink_commits
SELECT topic, partition, max_offset
FROM {db}.sink_positions
WHERE (SELECT count() FROM {db}.sink_commits) = 0;
