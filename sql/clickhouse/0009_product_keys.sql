-- top_products groups up to a few hundred thousand view rows by product at
-- query time, and 18.16 groups String keys slowly: ten days of the daily
-- view (200k rows, 50k products) took 32 ms here, 23 of them grouping. The
-- same rows grouped by a UInt64 key took 14 ms. So the product views are
-- keyed by `cityHash64(product_id)`, and `product_keys` maps each key back
-- to its ids. Two ids with one key (a hash collision) would add up under it;
-- the query checks the ids of every key it answers with and, should one
-- have two, answers from the raw lines instead (api/analytics/queries/top-products.ts).
-- These views replace the String-keyed ones (0001, 0002, 0006), so the sink
-- feeds one view more than before, not four.
--
-- Filled from `sales` while empty, before their own views start (so a rerun
-- after the old views are gone works too); run migrations with the sink
-- stopped (see 0002).

CREATE TABLE IF NOT EXISTS {db}.product_keys (
    product_key UInt64,
    product_id String
) ENGINE = ReplacingMergeTree ORDER BY (product_key, product_id);

INSERT INTO {db}.product_keys
SELECT cityHash64(product_id), product_id FROM {db}.sales
WHERE (SELECT count() FROM {db}.product_keys) = 0
GROUP BY product_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.product_keys_mv TO {db}.product_keys AS
SELECT cityHash64(product_id) AS product_key, product_id FROM {db}.sales GROUP BY product_id;

CREATE TABLE IF NOT EXISTS {db}.sales_by_product_key_daily (
    day Date,
    product_key UInt64,
    revenue_cents Int64,
    quantity UInt64,
    lines UInt64
) ENGINE = SummingMergeTree ORDER BY (day, product_key);

INSERT INTO {db}.sales_by_product_key_daily
SELECT toDate(paid_at) AS day, cityHash64(product_id) AS product_key, sum(revenue_cents),
       sum(toUInt64(quantity)), count()
FROM {db}.sales
WHERE (SELECT count() FROM {db}.sales_by_product_key_daily) = 0
GROUP BY day, product_key;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_product_key_daily_mv TO {db}.sales_by_product_key_daily AS
SELECT toDate(paid_at) AS day, cityHash64(product_id) AS product_key, sum(revenue_cents) AS revenue_cents,
       sum(toUInt64(quantity)) AS quantity, count() AS lines
FROM {db}.sales GROUP BY day, product_key;

CREATE TABLE IF NOT EXISTS {db}.sales_by_product_key_monthly (
    month Date,
    product_key UInt64,
    revenue_cents Int64,
    quantity UInt64,
    lines UInt64
) ENGINE = SummingMergeTree ORDER BY (month, product_key);

INSERT INTO {db}.sales_by_product_key_monthly
SELECT toStartOfMonth(paid_at) AS month, cityHash64(product_id) AS product_key, sum(revenue_cents),
       sum(toUInt64(quantity)), count()
FROM {db}.sales
WHERE (SELECT count() FROM {db}.sales_by_product_key_monthly) = 0
GROUP BY month, product_key;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_product_key_monthly_mv TO {db}.sales_by_product_key_monthly AS
SELECT toStartOfMonth(paid_at) AS month, cityHash64(product_id) AS product_key, sum(revenue_cents) AS revenue_cents,
       sum(toUInt64(quantity)) AS quantity, count() AS lines
FROM {db}.sales GROUP BY month, product_key;

CREATE TABLE IF NOT EXISTS {db}.sales_by_product_key_yearly (
    year Date,
    product_key UInt64,
    revenue_cents Int64,
    quantity UInt64,
    lines UInt64
) ENGINE = SummingMergeTree ORDER BY (year, product_key);

INSERT INTO {db}.sales_by_product_key_yearly
SELECT toStartOfYear(paid_at) AS year, cityHash64(product_id) AS product_key, sum(revenue_cents),
       sum(toUInt64(quantity)), count()
FROM {db}.sales
WHERE (SELECT count() FROM {db}.sales_by_product_key_yearly) = 0
GROUP BY year, product_key;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_product_key_yearly_mv TO {db}.sales_by_product_key_yearly AS
SELECT toStartOfYear(paid_at) AS year, cityHash64(product_id) AS product_key, sum(revenue_cents) AS revenue_cents,
       sum(toUInt64(quantity)) AS quantity, count() AS lines
FROM {db}.sales GROUP BY year, product_key;

DROP TABLE IF EXISTS {db}.sales_by_product_daily_mv;

DROP TABLE IF EXISTS {db}.sales_by_product_daily;

DROP TABLE IF EXISTS {db}.sales_by_product_monthly_mv;

DROP TABLE IF EXISTS {db}.sales_by_product_monthly;

DROP TABLE IF EXISTS {db}.sales_by_product_yearly_mv;

DROP TABLE IF EXISTS {db}.sales_by_product_yearly;
