-- top_products over a year read twelve months of the monthly view: 600k rows
-- grouped into 50k product ids, about 35 ms of the 50 ms budget on 18.16
-- here. A yearly view holds each product once a year (50k rows, about 12 ms).
-- A range mostly inside a year reads the year whole, less the months and
-- days outside it (api/analytics/sum-cover.ts): sums subtract exactly.
--
-- Filled from the monthly view while empty, before its own view starts; run
-- migrations with the sink stopped (see 0002).

CREATE TABLE IF NOT EXISTS {db}.sales_by_product_yearly (
    year Date,
    product_id String,
    revenue_cents Int64,
    quantity UInt64,
    lines UInt64
) ENGINE = SummingMergeTree ORDER BY (year, product_id);

INSERT INTO {db}.sales_by_product_yearly
SELECT toStartOfYear(month) AS year, product_id, sum(revenue_cents) AS revenue_cents,
       sum(quantity) AS quantity, sum(lines) AS lines
FROM {db}.sales_by_product_monthly
WHERE (SELECT count() FROM {db}.sales_by_product_yearly) = 0
GROUP BY year, product_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_product_yearly_mv TO {db}.sales_by_product_yearly AS
SELECT toStartOfYear(paid_at) AS year, product_id, sum(revenue_cents) AS revenue_cents,
       sum(toUInt64(quantity)) AS quantity, count() AS lines
FROM {db}.sales GROUP BY year, product_id;
