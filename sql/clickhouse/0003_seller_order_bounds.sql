-- top_suppliers over long ranges without merging every order id. Distinct
-- orders do not add up across days or insert blocks (one order's lines may
-- fall in several), so `seller_orders_daily` merges uniqExact states: about
-- 4M order ids, 0.7 s, for a year of 10M lines. Two tables make it cheap
-- and still exact:
-- * `seller_orders_monthly_upper` adds up, per month and seller, the distinct
--   orders of each insert block: never fewer than the month's true count;
-- * `seller_orders_by_seller` holds the exact daily states sorted by seller,
--   so the few sellers whose bound can reach the top are counted exactly by
--   reading only their rows (the query names them in PREWHERE: with the day
--   condition in WHERE alone, 18.16 read the whole table).
-- The query (api/analytics/queries/top-suppliers.ts) counts exactly the
-- sellers with the highest bounds until no other seller's bound can reach
-- the last place.
--
-- Filled from the rows already stored before their views start, only while
-- empty; run migrations with the sink stopped (see 0002).

CREATE TABLE IF NOT EXISTS {db}.seller_orders_monthly_upper (
    month Date,
    seller_id String,
    orders_upper UInt64
) ENGINE = SummingMergeTree ORDER BY (month, seller_id);

INSERT INTO {db}.seller_orders_monthly_upper
SELECT toStartOfMonth(paid_at) AS month, seller_id, uniqExact(order_id) AS orders_upper
FROM {db}.sales
WHERE (SELECT count() FROM {db}.seller_orders_monthly_upper) = 0
GROUP BY month, seller_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.seller_orders_monthly_upper_mv TO {db}.seller_orders_monthly_upper AS
SELECT toStartOfMonth(paid_at) AS month, seller_id, uniqExact(order_id) AS orders_upper
FROM {db}.sales GROUP BY month, seller_id;

CREATE TABLE IF NOT EXISTS {db}.seller_orders_by_seller (
    seller_id String,
    day Date,
    orders AggregateFunction(uniqExact, String),
    revenue_cents AggregateFunction(sum, Int64)
) ENGINE = AggregatingMergeTree ORDER BY (seller_id, day)
-- Small granules: a read deserializes every state of each granule it touches,
-- and a seller has one row a day.
SETTINGS index_granularity = 256;

INSERT INTO {db}.seller_orders_by_seller
SELECT seller_id, day, orders, revenue_cents
FROM {db}.seller_orders_daily
WHERE (SELECT count() FROM {db}.seller_orders_by_seller) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.seller_orders_by_seller_mv TO {db}.seller_orders_by_seller AS
SELECT seller_id, toDate(paid_at) AS day, uniqExactState(order_id) AS orders, sumState(revenue_cents) AS revenue_cents
FROM {db}.sales GROUP BY seller_id, day;
