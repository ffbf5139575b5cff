-- Repeat buyer revenue, week over week (seed 003): week 1 is the 7 whole UTC days from
-- week_1_start, week 2 the 7 days after. A repeat buyer placed at least two distinct orders in
-- those 14 days; each week's revenue is those buyers' revenue in that week. The same answer as
-- GET /analytics/repeat-buyers?week_start=2021-01-01.
--
-- DATES: week_1_start on the line marked "-- DATES" below (now 2021-01-01, so week 1 is
-- 2021-01-01..2021-01-07 and week 2 is 2021-01-08..2021-01-14, whole days: the last day counts
-- until 23:59:59, unlike a BETWEEN on timestamps).
--
-- Run: clickhouse-client --database stockflow --multiquery < sql/queries/repeat_buyer_revenue.sql
--
-- Reads the raw `sales` table (a cross-check of the API, which reads the per-buyer daily view).
-- Money is Int64 cents, also given as exact decimal strings; change_pct is the change in percent
-- of week 1, two decimals, rounded half away from zero in integer arithmetic, NULL when week 1
-- revenue is 0.

SELECT
    count() AS repeat_buyers,
    sum(week_1_cents) AS week_1_revenue_cents,
    sum(week_2_cents) AS week_2_revenue_cents,
    week_2_revenue_cents - week_1_revenue_cents AS change_cents,
    concat(toString(intDiv(week_1_revenue_cents, 100)), '.', substring(toString(100 + week_1_revenue_cents % 100), 2, 2)) AS week_1_revenue,
    concat(toString(intDiv(week_2_revenue_cents, 100)), '.', substring(toString(100 + week_2_revenue_cents % 100), 2, 2)) AS week_2_revenue,
    concat(if(change_cents < 0, '-', ''), toString(intDiv(abs(change_cents), 100)), '.', substring(toString(100 + abs(change_cents) % 100), 2, 2)) AS change,
    if(week_1_revenue_cents = 0, NULL,
       if(change_cents < 0, -1, 1) * intDiv(abs(change_cents) * 20000 + week_1_revenue_cents, 2 * week_1_revenue_cents) / 100) AS change_pct
FROM
(
    WITH toDate('2021-01-01') AS week_1_start -- DATES
    SELECT
        buyer_id,
        uniqExact(order_id) AS orders,
        sumIf(revenue_cents, paid_at < toDateTime(week_1_start + 7, 'UTC')) AS week_1_cents,
        sumIf(revenue_cents, paid_at >= toDateTime(week_1_start + 7, 'UTC')) AS week_2_cents
    FROM sales
    WHERE paid_at >= toDateTime(week_1_start, 'UTC') AND paid_at < toDateTime(week_1_start + 14, 'UTC')
    GROUP BY buyer_id
    HAVING orders >= 2
);
