-- top_products groups up to a few hundred thousand view rows by product at
-- query time, and 18.16 groups String keys slowly: ten days of the daily
-- view (200k rows, 50k products) took 32 ms here, 23 of them grouping. The
-- same rows grouped by a UInt64 key took 14 ms. So the product views are
-- keyed by a UInt64 `product_key`: the id itself when it is a decimal number
-- below 2^63 written canonically (no sign, no leading zeros), which maps
-- ids to keys one to one; otherwise `cityHash64(product_id)` with the top
-- bit set. `product_keys` maps those hashed keys back to ids (a decimal
-- id needs no entry, which spares the sink a string grouping per insert
-- when a catalogue's ids are numbers). Two hashed ids with one key
-- would add up under it; the query checks the ids of every hashed key it
-- answers with and, should one have two, answers from the raw lines instead
-- (api/analytics/queries/top-products.ts, which writes the same expression).
-- These views replace the String-keyed daily, monthly and yearly ones (0001,
-- 0002, 0006) and add a weekly one, so the sink feeds two views more than
-- before (product_keys and the weeks), not five.
--
-- Filled from `sales` while empty, before their own views start (so a rerun
-- after the old views are gone works too); run migrations with the sink
-- stopped (see 0002).

CREATE TABLE IF NOT EXISTS {db}.product_keys (
    product_key UInt64,
    product_id String
) ENGINE = ReplacingMergeTree ORDER BY (product_key, product_id);

INSERT INTO {db}.product_keys
SELECT if(toString(toUInt64OrZero(product_id)) = product_id AND toUInt64OrZero(product_id) < 9223372036854775808,
       toUInt64OrZero(product_id), bitOr(cityHash64(product_id), 9223372036854775808)) AS product_key, product_id FROM {db}.sales
WHERE (SELECT count() FROM {db}.product_keys) = 0 AND product_key >= 9223372036854775808
GROUP BY product_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.product_keys_mv TO {db}.product_keys AS
SELECT if(toString(toUInt64OrZero(product_id)) = product_id AND toUInt64OrZero(product_id) < 9223372036854775808,
       toUInt64OrZero(product_id), bitOr(cityHash64(product_id), 9223372036854775808)) AS product_key, product_id FROM {db}.sales
WHERE product_key >= 9223372036854775808 GROUP BY product_id;

CREATE TABLE IF NOT EXISTS {db}.sales_by_product_key_daily (
    day Date,
    product_key UInt64,
    revenue_cents Int64,
    quantity UInt64,
    lines UInt64
) ENGINE = SummingMergeTree ORDER BY (day, product_key);

INSERT INTO {db}.sales_by_product_key_daily
SELECT toDate(paid_at) AS day, if(toString(toUInt64OrZero(product_id)) = product_id AND toUInt64OrZero(product_id) < 9223372036854775808,
       toUInt64OrZero(product_id), bitOr(cityHash64(product_id), 9223372036854775808)) AS product_key, sum(revenue_cents),
       sum(toUInt64(quantity)), count()
FROM {db}.sales
WHERE (SELECT count() FROM {db}.sales_by_product_key_daily) = 0
GROUP BY day, product_key;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_product_key_daily_mv TO {db}.sales_by_product_key_daily AS
SELECT toDate(paid_at) AS day, if(toString(toUInt64OrZero(product_id)) = product_id AND toUInt64OrZero(product_id) < 9223372036854775808,
       toUInt64OrZero(product_id), bitOr(cityHash64(product_id), 9223372036854775808)) AS product_key, sum(revenue_cents) AS revenue_cents,
       sum(toUInt64(quantity)) AS quantity, count() AS lines
FROM {db}.sales GROUP BY day, product_key;

-- Weeks (Monday to Sunday) too, new here: a range's days are read week by
-- week where that is cheaper, less the days outside (sum-cover.ts).
CREATE TABLE IF NOT EXISTS {db}.sales_by_product_key_weekly (
    week Date,
    product_key UInt64,
    revenue_cents Int64,
    quantity UInt64,
    lines UInt64
) ENGINE = SummingMergeTree ORDER BY (week, product_key);

INSERT INTO {db}.sales_by_product_key_weekly
SELECT toMonday(paid_at) AS week, if(toString(toUInt64OrZero(product_id)) = product_id AND toUInt64OrZero(product_id) < 9223372036854775808,
       toUInt64OrZero(product_id), bitOr(cityHash64(product_id), 9223372036854775808)) AS product_key, sum(revenue_cents),
       sum(toUInt64(quantity)), count()
FROM {db}.sales
WHERE (SELECT count() FROM {db}.sales_by_product_key_weekly) = 0
GROUP BY week, product_key;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_product_key_weekly_mv TO {db}.sales_by_product_key_weekly AS
SELECT toMonday(paid_at) AS week, if(toString(toUInt64OrZero(product_id)) = product_id AND toUInt64OrZero(product_id) < 9223372036854775808,
       toUInt64OrZero(product_id), bitOr(cityHash64(product_id), 9223372036854775808)) AS product_key, sum(revenue_cents) AS revenue_cents,
       sum(toUInt64(quantity)) AS quantity, count() AS lines
FROM {db}.sales GROUP BY week, product_key;

CREATE TABLE IF NOT EXISTS {db}.sales_by_product_key_monthly (
    month Date,
    product_key UInt64,
    revenue_cents Int64,
    quantity UInt64,
    lines UInt64
) ENGINE = SummingMergeTree ORDER BY (month, product_key);

INSERT INTO {db}.sales_by_product_key_monthly
SELECT toStartOfMonth(paid_at) AS month, if(toString(toUInt64OrZero(product_id)) = product_id AND toUInt64OrZero(product_id) < 9223372036854775808,
       toUInt64OrZero(product_id), bitOr(cityHash64(product_id), 9223372036854775808)) AS product_key, sum(revenue_cents),
       sum(toUInt64(quantity)), count()
FROM {db}.sales
WHERE (SELECT count() FROM {db}.sales_by_product_key_monthly) = 0
GROUP BY month, product_key;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_product_key_monthly_mv TO {db}.sales_by_product_key_monthly AS
SELECT toStartOfMonth(paid_at) AS month, if(toString(toUInt64OrZero(product_id)) = product_id AND toUInt64OrZero(product_id) < 9223372036854775808,
       toUInt64OrZero(product_id), bitOr(cityHash64(product_id), 9223372036854775808)) AS product_key, sum(revenue_cents) AS revenue_cents,
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
SELECT toStartOfYear(paid_at) AS year, if(toString(toUInt64OrZero(product_id)) = product_id AND toUInt64OrZero(product_id) < 9223372036854775808,
       toUInt64OrZero(product_id), bitOr(cityHash64(product_id), 9223372036854775808)) AS product_key, sum(revenue_cents),
       sum(toUInt64(quantity)), count()
FROM {db}.sales
WHERE (SELECT count() FROM {db}.sales_by_product_key_yearly) = 0
GROUP BY year, product_key;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_product_key_yearly_mv TO {db}.sales_by_product_key_yearly AS
SELECT toStartOfYear(paid_at) AS year, if(toString(toUInt64OrZero(product_id)) = product_id AND toUInt64OrZero(product_id) < 9223372036854775808,
       toUInt64OrZero(product_id), bitOr(cityHash64(product_id), 9223372036854775808)) AS product_key, sum(revenue_cents) AS revenue_cents,
       sum(toUInt64(quantity)) AS quantity, count() AS lines
FROM {db}.sales GROUP BY year, product_key;

DROP TABLE IF EXISTS {db}.sales_by_product_daily_mv;

DROP TABLE IF EXISTS {db}.sales_by_product_daily;

DROP TABLE IF EXISTS {db}.sales_by_product_monthly_mv;

DROP TABLE IF EXISTS {db}.sales_by_product_monthly;

DROP TABLE IF EXISTS {db}.sales_by_product_yearly_mv;

DROP TABLE IF EXISTS {db}.sales_by_product_yearly;
