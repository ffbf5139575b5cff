-- top_suppliers over a year merged the order ids of the best sellers (the
-- busiest alone has 141k a year): 42–50 ms at the median, over the 50 ms
-- budget at p99. Distinct orders do not add up across days, but this does:
-- for each (seller, order) keep every day with lines and the order's
-- previous day with lines (-1 for its first). An order has lines in
-- [A, B] exactly when one of its days d in [A, B] has prev_day < A (its
-- first day in the range), so a seller's distinct orders in [A, B] are
--   sum(orders) over the rows with day in [A, B] and prev_day < A,
-- a sum over rows aggregated by (day, seller, prev_day): days, months and
-- years add up and subtract like the product views (sum-cover.ts).
--
-- The previous day depends on the order's other lines, so no view on `sales`
-- can keep it. The sink role's refresher (processors/sink/seller-order-days.ts)
-- merges the days of the orders whose lines the sink committed since its
-- last run into `seller_order_days` (a cancel and the new version of each
-- changed row, in one insert); views sum that table's signs into the
-- daily, monthly and yearly tables. The API uses them only while the
-- refresher has covered every stored line; otherwise it counts from the
-- daily order-id states as before (0003, 0004).

-- Every stored sale line's buyer, seller, order and day, by Kafka position:
-- the lines since a given offset are a primary-key range. Replaces
-- `sales_buyer_touches` (0007), which had only the buyer.
CREATE TABLE IF NOT EXISTS {db}.sales_line_touches (
    topic String,
    partition UInt32,
    kafka_offset UInt64,
    buyer_id String,
    seller_id String,
    order_id String,
    day Date
) ENGINE = MergeTree ORDER BY (topic, partition, kafka_offset);

INSERT INTO {db}.sales_line_touches
SELECT _topic, _partition, _offset, buyer_id, seller_id, order_id, toDate(paid_at) FROM {db}.sales
WHERE (SELECT count() FROM {db}.sales_line_touches) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_line_touches_mv TO {db}.sales_line_touches AS
SELECT _topic AS topic, _partition AS partition, _offset AS kafka_offset, buyer_id, seller_id,
       order_id, toDate(paid_at) AS day
FROM {db}.sales;

DROP TABLE IF EXISTS {db}.sales_buyer_touches_mv;

DROP TABLE IF EXISTS {db}.sales_buyer_touches;

-- The days of each (seller, order), with the previous one. Days are numbers
-- (days since 1970-01-01, as `toInt32(day)`); -1 before the first.
CREATE TABLE IF NOT EXISTS {db}.seller_order_days (
    order_id String,
    seller_id String,
    day Date,
    prev_day Int32,
    sign Int8
) ENGINE = CollapsingMergeTree(sign) ORDER BY (order_id, seller_id, day);

CREATE TABLE IF NOT EXISTS {db}.seller_order_firsts_daily (
    day Date,
    seller_id String,
    prev_day Int32,
    orders Int64
) ENGINE = SummingMergeTree ORDER BY (day, seller_id, prev_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.seller_order_firsts_daily_mv TO {db}.seller_order_firsts_daily AS
SELECT day, seller_id, prev_day, sum(toInt64(sign)) AS orders
FROM {db}.seller_order_days GROUP BY day, seller_id, prev_day;

CREATE TABLE IF NOT EXISTS {db}.seller_order_firsts_monthly (
    month Date,
    seller_id String,
    prev_day Int32,
    orders Int64
) ENGINE = SummingMergeTree ORDER BY (month, seller_id, prev_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.seller_order_firsts_monthly_mv TO {db}.seller_order_firsts_monthly AS
SELECT toStartOfMonth(day) AS month, seller_id, prev_day, sum(toInt64(sign)) AS orders
FROM {db}.seller_order_days GROUP BY month, seller_id, prev_day;

CREATE TABLE IF NOT EXISTS {db}.seller_order_firsts_yearly (
    year Date,
    seller_id String,
    prev_day Int32,
    orders Int64
) ENGINE = SummingMergeTree ORDER BY (year, seller_id, prev_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.seller_order_firsts_yearly_mv TO {db}.seller_order_firsts_yearly AS
SELECT toStartOfYear(day) AS year, seller_id, prev_day, sum(toInt64(sign)) AS orders
FROM {db}.seller_order_days GROUP BY year, seller_id, prev_day;

-- Up to which offset of each topic partition `seller_order_days` is complete.
CREATE TABLE IF NOT EXISTS {db}.seller_days_progress (
    topic String,
    partition UInt32,
    max_offset AggregateFunction(max, UInt64)
) ENGINE = AggregatingMergeTree ORDER BY (topic, partition);

-- The lines already stored, while the tables are empty (their views above
-- fill the sums); run migrations with the sink stopped (see 0002). The
-- progress then covers every stored line.
INSERT INTO {db}.seller_order_days
SELECT order_id, seller_id, days[i] AS day, if(i = 1, -1, toInt32(days[i - 1])) AS prev_day, 1
FROM (
    SELECT order_id, seller_id, arraySort(groupUniqArray(toDate(paid_at))) AS days
    FROM {db}.sales
    WHERE (SELECT count() FROM {db}.seller_order_days) = 0
    GROUP BY order_id, seller_id
) ARRAY JOIN arrayEnumerate(days) AS i;

INSERT INTO {db}.seller_days_progress
SELECT _topic, _partition, maxState(_offset) FROM {db}.sales
WHERE (SELECT count() FROM {db}.seller_days_progress) = 0
GROUP BY _topic, _partition;
