-- Country contribution: each country's share of revenue and of units sold (seed 003).
-- The same answer as GET /analytics/countries?start_date=2021-01-01&end_date=2021-01-31 (by=seller).
--
-- DATES: whole UTC days, both inclusive: first_day and last_day on the line marked "-- DATES"
-- below (now 2021-01-01 to 2021-01-31). For buyer countries (by=buyer), replace seller_country
-- with buyer_country on the line marked "-- SIDE".
--
-- Run: clickhouse-client --database stockflow --multiquery < sql/queries/country_contribution.sql
--
-- Reads the raw `sales` table, not the views, so it doubles as a cross-check of the API. Money is
-- Int64 cents (revenue is also given as an exact decimal string); shares are percent with two
-- decimals, rounded half up in integer arithmetic (exact), NULL when the total is 0. Runs on
-- ClickHouse 18.16 and current releases (no window functions there, hence groupArray + ARRAY JOIN
-- to put the totals next to each country).

SELECT
    country,
    revenue_cents,
    concat(toString(intDiv(revenue_cents, 100)), '.', substring(toString(100 + revenue_cents % 100), 2, 2)) AS revenue,
    if(total_revenue = 0, NULL, intDiv(revenue_cents * 20000 + total_revenue, 2 * total_revenue) / 100) AS revenue_share,
    items,
    if(total_items = 0, NULL, intDiv(items * 20000 + total_items, 2 * total_items) / 100) AS items_share
FROM
(
    SELECT
        groupArray(by_country) AS countries,
        groupArray(country_cents) AS country_revenues,
        groupArray(country_units) AS country_items,
        sum(country_cents) AS total_revenue,
        sum(country_units) AS total_items
    FROM
    (
        WITH toDate('2021-01-01') AS first_day, toDate('2021-01-31') AS last_day -- DATES
        SELECT
            seller_country AS by_country, -- SIDE
            sum(revenue_cents) AS country_cents,
            sum(toUInt64(quantity)) AS country_units
        FROM sales
        WHERE paid_at >= toDateTime(first_day, 'UTC') AND paid_at < toDateTime(last_day + 1, 'UTC')
        GROUP BY by_country
    )
)
ARRAY JOIN countries AS country, country_revenues AS revenue_cents, country_items AS items
ORDER BY revenue_cents DESC, country ASC;
