-- repeat-buyers grouped all 137k buyers of a two-week window at query time
-- (120–130 ms on 18.16 here, however the rows are laid out). Per-(buyer, day)
-- flags make the answer a filtered sum over the window's rows (10 ms): a day
-- counts when it had two orders or the buyer's nearest day with another
-- order, before or after it, is inside the window (domain/repeat-buyer-flags.ts).
-- A flag depends on the buyer's other days, so no view can keep it: the sink
-- role's refresher (processors/sink/repeat-flags.ts) recomputes the flags of
-- the buyers whose lines arrived since its last run, from `sales`, and writes
-- the difference. Buyers with lines it has not yet seen are answered from
-- `buyer_daily` at query time, so every answer is exact at once.

-- Which buyer each stored sale line belongs to, by Kafka position: the
-- buyers touched since a given offset are a primary-key range.
CREATE TABLE IF NOT EXISTS {db}.sales_buyer_touches (
    topic String,
    partition UInt32,
    kafka_offset UInt64,
    buyer_id String
) ENGINE = MergeTree ORDER BY (topic, partition, kafka_offset);

INSERT INTO {db}.sales_buyer_touches
SELECT _topic, _partition, _offset, buyer_id FROM {db}.sales
WHERE (SELECT count() FROM {db}.sales_buyer_touches) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_buyer_touches_mv TO {db}.sales_buyer_touches AS
SELECT _topic AS topic, _partition AS partition, _offset AS kafka_offset, buyer_id FROM {db}.sales;

-- The highest offset per topic partition in `sales_buyer_touches`: what the
-- refresher must have covered for the flags to be complete.
CREATE TABLE IF NOT EXISTS {db}.sales_touch_positions (
    topic String,
    partition UInt32,
    max_offset AggregateFunction(max, UInt64)
) ENGINE = AggregatingMergeTree ORDER BY (topic, partition);

INSERT INTO {db}.sales_touch_positions
SELECT _topic, _partition, maxState(_offset) FROM {db}.sales
WHERE (SELECT count() FROM {db}.sales_touch_positions) = 0
GROUP BY _topic, _partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_touch_positions_mv TO {db}.sales_touch_positions AS
SELECT _topic AS topic, _partition AS partition, maxState(_offset) AS max_offset
FROM {db}.sales GROUP BY _topic, _partition;

-- The flags. The refresher cancels a changed row (sign -1, same values) and
-- writes its new version in the same insert; queries sum sign-weighted
-- values, exact before and after merges collapse the pairs. Days before or
-- after any other order are -1 and 2^31-1.
CREATE TABLE IF NOT EXISTS {db}.buyer_day_flags (
    day Date,
    buyer_id String,
    multi UInt8,
    prev_other Int32,
    next_other Int32,
    prev_any Int32,
    revenue_cents Int64,
    sign Int8
) ENGINE = CollapsingMergeTree(sign) ORDER BY (day, buyer_id);

-- Up to which offset of each topic partition the flags are complete.
CREATE TABLE IF NOT EXISTS {db}.buyer_flags_progress (
    topic String,
    partition UInt32,
    max_offset AggregateFunction(max, UInt64)
) ENGINE = AggregatingMergeTree ORDER BY (topic, partition);
