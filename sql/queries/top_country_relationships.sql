-- Top country relationship: the two different countries with the highest combined revenue
-- between them, counting sales either way (seller in one and buyer in the other, or the reverse);
-- sales within one country do not count (seed 003). country_a < country_b; ties go to the
-- alphabetically first pair. The same answer as
-- GET /analytics/countries/top-pair?start_date=2021-01-01&end_date=2021-01-31.
--
-- DATES: whole UTC days, both inclusive: first_day and last_day on the line marked "-- DATES"
-- below (now 2021-01-01 to 2021-01-31). Raise the LIMIT to see the runners-up.
--
-- Run: clickhouse-client --database stockflow --multiquery < sql/queries/top_country_relationships.sql
--
-- Reads the raw `sales` table (a cross-check of the API, which reads the daily view). Money is
-- Int64 cents, also given as an exact decimal string. 18.16's least()/greatest() take no strings,
-- hence if().

WITH toDate('2021-01-01') AS first_day, toDate('2021-01-31') AS last_day -- DATES
SELECT
    if(seller_country < buyer_country, seller_country, buyer_country) AS country_a,
    if(seller_country < buyer_country, buyer_country, seller_country) AS country_b,
    sum(revenue_cents) AS revenue_cents_total,
    concat(toString(intDiv(revenue_cents_total, 100)), '.', substring(toString(100 + revenue_cents_total % 100), 2, 2)) AS revenue
FROM sales
WHERE paid_at >= toDateTime(first_day, 'UTC') AND paid_at < toDateTime(last_day + 1, 'UTC')
  AND seller_country != buyer_country
GROUP BY country_a, country_b
ORDER BY revenue_cents_total DESC, country_a ASC, country_b ASC
LIMIT 1;
