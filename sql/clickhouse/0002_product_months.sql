-- top_products over long ranges: at 10 million sale lines a year almost every
-- (day, product) pair is a row of its own, so a year of the daily view is 7.4M
-- rows. Whole calendar months now come from a monthly view (about one row per
-- product and month: 600k for that year).
--
-- The new table is filled from the sale lines already stored before its view
-- starts taking new ones, only while it is still empty (a re-run after a crash
-- does not count twice). Run migrations with the sink stopped, as `npm start`
-- and docker-compose do: lines inserted between the fill and the view's
-- creation would be missing from it.

CREATE TABLE IF NOT EXISTS {db}.sales_by_product_monthly (
    month Date,
    product_id String,
    revenue_cents Int64,
    quantity UInt64,
    lines UInt64
) ENGINE = SummingMergeTree ORDER BY (month, product_id);

INSERT INTO {db}.sales_by_product_monthly
SELECT toStartOfMonth(paid_at) AS month, product_id, sum(revenue_cents) AS revenue_cents,
       sum(toUInt64(quantity)) AS quantity, count() AS lines
FROM {db}.sales
WHERE (SELECT count() FROM {db}.sales_by_product_monthly) = 0
GROUP BY month, product_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_product_monthly_mv TO {db}.sales_by_product_monthly AS
SELECT toStartOfMonth(paid_at) AS month, product_id, sum(revenue_cents) AS revenue_cents,
       sum(toUInt64(quantity)) AS quantity, count() AS lines
FROM {db}.sales GROUP BY month, product_id;
