-- Order changes from the orders role's outbox (<KAFKA_ORDERS_TOPIC>.changes,
-- contract in domain/change-schemas.ts): one row per status an order took.
-- The intake publishes no `pending` change, so an order's first row is the
-- one that leaves pending (normally to `processing`); each status happens at
-- most once per order, so (order_id, status) names a change.
--
-- Money is integer cents, times DateTime('UTC') as in 0001 (null times as the
-- epoch, null strings as ''). 18.16 has no DateTime64, so the processing time
-- (completed_at − created_at) is also kept in milliseconds, computed by the
-- sink from the message's own times, which carry microseconds.
--
-- New tables only: nothing stored before needs filling in (the sink reads the
-- topic from its start). Runs on 18.16 and on current ClickHouse.

CREATE TABLE IF NOT EXISTS {db}.order_changes (
    order_id String,
    status String,
    previous_status String,
    user_id String,
    total_cents Int64,
    warehouse_id String,
    failure_code String,
    created_at DateTime('UTC'),
    changed_at DateTime('UTC'),
    completed_at DateTime('UTC'),
    processing_ms Int64,
    _topic String,
    _partition UInt32,
    _offset UInt64
) ENGINE = MergeTree PARTITION BY toYYYYMM(created_at) ORDER BY (created_at, order_id, status);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.order_changes_positions_mv TO {db}.sink_positions AS
SELECT _topic AS topic, _partition AS partition, maxState(_offset) AS max_offset
FROM {db}.order_changes GROUP BY _topic, _partition;

-- The identities the sink checks before inserting (a relay that crashed after
-- sending publishes a change again, at another offset).
CREATE TABLE IF NOT EXISTS {db}.order_changes_seen (order_id String, status String) ENGINE = MergeTree ORDER BY (order_id, status);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.order_changes_seen_mv TO {db}.order_changes_seen AS
SELECT order_id, status FROM {db}.order_changes;

-- Orders per day: accepted (by the day they were created), completed and
-- failed (by the day they finished), the revenue of the completed ones, and
-- the processing times of the completed ones. Weeks and months are merged
-- from the days at query time (one row per day: a year is 365 rows).
--
-- The quantiles are quantilesExactWeighted over (milliseconds, orders): the
-- state is a map from each distinct processing time to how many orders took
-- it, so it is exact, merges across days and inserts, and stays as small as
-- the number of distinct milliseconds in a day, not the number of orders.
-- The answer is the nearest rank: the smallest time at least ceil(q × n) of
-- the orders took no longer than (Postgres' percentile_disc), the same on
-- 18.16 and current ClickHouse. The alternatives 18.16 has: quantilesExact
-- keeps every value (8 bytes per order: gigabytes for a busy year's merge);
-- quantiles (a reservoir of 8192) and quantilesTDigest are approximate with
-- no bound on their error and depend on the order of merges; quantilesTiming
-- caps every time at 30 s, so a backlog would vanish from p99.
--
-- 18.16 requires a view `TO` a table to write every column of it, so each
-- view below writes the measures it does not keep as neutral states: a sum of
-- 0, and a processing time of weight 0 (which no quantile above level 0 can
-- land on while any order has weight).
CREATE TABLE IF NOT EXISTS {db}.orders_daily (
    day Date,
    accepted AggregateFunction(sum, UInt64),
    completed AggregateFunction(sum, UInt64),
    failed AggregateFunction(sum, UInt64),
    revenue_cents AggregateFunction(sum, Int64),
    processing AggregateFunction(quantilesExactWeighted(0.5, 0.95, 0.99), Int64, UInt64)
) ENGINE = AggregatingMergeTree ORDER BY day;

-- Accepted: the one change that leaves pending, on the order's created day.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.orders_daily_accepted_mv TO {db}.orders_daily AS
SELECT toDate(created_at) AS day,
       sumState(toUInt64(1)) AS accepted,
       sumState(toUInt64(0)) AS completed,
       sumState(toUInt64(0)) AS failed,
       sumState(toInt64(0)) AS revenue_cents,
       quantilesExactWeightedState(0.5, 0.95, 0.99)(toInt64(0), toUInt64(0)) AS processing
FROM {db}.order_changes
WHERE previous_status = 'pending'
GROUP BY day;

-- Finished: the completed or failed change, on the day it finished.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.orders_daily_finished_mv TO {db}.orders_daily AS
SELECT toDate(completed_at) AS day,
       sumState(toUInt64(0)) AS accepted,
       sumState(toUInt64(status = 'completed')) AS completed,
       sumState(toUInt64(status = 'failed')) AS failed,
       sumState(if(status = 'completed', total_cents, toInt64(0))) AS revenue_cents,
       quantilesExactWeightedState(0.5, 0.95, 0.99)(if(status = 'completed', processing_ms, toInt64(0)),
                                                    toUInt64(status = 'completed')) AS processing
FROM {db}.order_changes
WHERE status IN ('completed', 'failed')
GROUP BY day;
