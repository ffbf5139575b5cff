-- Analytics store. Raw tables receive what the sink reads from Kafka, each row
-- with its Kafka position; materialized views keep the aggregates the API
-- reads. Every statement runs on ClickHouse 18.16 (Debian) and on current
-- ClickHouse, and is re-runnable (no transactions here).
--
-- AggregatingMergeTree combines only AggregateFunction columns when it merges
-- rows; every measure there is therefore a -State, read back with -Merge.
--
-- Exactly-once effect on the views, since they fire on every insert:
-- * a view on each raw table records the highest Kafka offset stored per topic
--   partition in `sink_positions`, in the same insert as the rows; the sink
--   drops anything at or below it (redelivery, a retried batch);
-- * every row also carries the identity of what it records — a sale line its
--   source position, a stock change its ledger id, a movement change its
--   (movement, version) — kept in a small index the sink checks before
--   inserting, which catches duplicates upstream produced at other offsets
--   (an ingest or outbox relay that crashed after sending, before committing).

CREATE TABLE IF NOT EXISTS {db}.sink_positions (
    topic String,
    partition UInt32,
    max_offset AggregateFunction(max, UInt64)
) ENGINE = AggregatingMergeTree ORDER BY (topic, partition);

-- Sale lines (seeds 003 and 000). Money is integer cents: exact sums, no float drift.
CREATE TABLE IF NOT EXISTS {db}.sales (
    source_id String,
    order_id String,
    product_id String,
    buyer_id String,
    seller_id String,
    seller_country String,
    buyer_country String,
    paid_at DateTime('UTC'),
    brand String,
    category String,
    revenue_cents Int64,
    quantity UInt32,
    _topic String,
    _partition UInt32,
    _offset UInt64
) ENGINE = MergeTree PARTITION BY toYYYYMM(paid_at) ORDER BY (paid_at, product_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_positions_mv TO {db}.sink_positions AS
SELECT _topic AS topic, _partition AS partition, maxState(_offset) AS max_offset
FROM {db}.sales GROUP BY _topic, _partition;

CREATE TABLE IF NOT EXISTS {db}.sales_seen (source_id String) ENGINE = MergeTree ORDER BY source_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_seen_mv TO {db}.sales_seen AS
SELECT source_id FROM {db}.sales;

-- Revenue, items and lines per day and product: total_spent and top_products.
CREATE TABLE IF NOT EXISTS {db}.sales_by_product_daily (
    day Date,
    product_id String,
    revenue_cents Int64,
    quantity UInt64,
    lines UInt64
) ENGINE = SummingMergeTree ORDER BY (day, product_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_product_daily_mv TO {db}.sales_by_product_daily AS
SELECT toDate(paid_at) AS day, product_id, sum(revenue_cents) AS revenue_cents, sum(toUInt64(quantity)) AS quantity, count() AS lines
FROM {db}.sales GROUP BY day, product_id;

-- Distinct orders per seller and day: top_suppliers (exact, merged across days).
CREATE TABLE IF NOT EXISTS {db}.seller_orders_daily (
    day Date,
    seller_id String,
    orders AggregateFunction(uniqExact, String),
    revenue_cents AggregateFunction(sum, Int64)
) ENGINE = AggregatingMergeTree ORDER BY (day, seller_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.seller_orders_daily_mv TO {db}.seller_orders_daily AS
SELECT toDate(paid_at) AS day, seller_id, uniqExactState(order_id) AS orders, sumState(revenue_cents) AS revenue_cents
FROM {db}.sales GROUP BY day, seller_id;

-- Lines and revenue per category and day: feedback.
CREATE TABLE IF NOT EXISTS {db}.sales_by_category_daily (
    day Date,
    category String,
    lines UInt64,
    quantity UInt64,
    revenue_cents Int64
) ENGINE = SummingMergeTree ORDER BY (day, category);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_category_daily_mv TO {db}.sales_by_category_daily AS
SELECT toDate(paid_at) AS day, category, count() AS lines, sum(toUInt64(quantity)) AS quantity, sum(revenue_cents) AS revenue_cents
FROM {db}.sales GROUP BY day, category;

-- Revenue and items per seller country, buyer country and day: country shares and top country pair.
CREATE TABLE IF NOT EXISTS {db}.sales_by_countries_daily (
    day Date,
    seller_country String,
    buyer_country String,
    revenue_cents Int64,
    quantity UInt64,
    lines UInt64
) ENGINE = SummingMergeTree ORDER BY (day, seller_country, buyer_country);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.sales_by_countries_daily_mv TO {db}.sales_by_countries_daily AS
SELECT toDate(paid_at) AS day, seller_country, buyer_country, sum(revenue_cents) AS revenue_cents, sum(toUInt64(quantity)) AS quantity, count() AS lines
FROM {db}.sales GROUP BY day, seller_country, buyer_country;

-- Orders and revenue per buyer and day: repeat-buyer revenue week over week.
CREATE TABLE IF NOT EXISTS {db}.buyer_daily (
    day Date,
    buyer_id String,
    orders AggregateFunction(uniqExact, String),
    revenue_cents AggregateFunction(sum, Int64)
) ENGINE = AggregatingMergeTree ORDER BY (day, buyer_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.buyer_daily_mv TO {db}.buyer_daily AS
SELECT toDate(paid_at) AS day, buyer_id, uniqExactState(order_id) AS orders, sumState(revenue_cents) AS revenue_cents
FROM {db}.sales GROUP BY day, buyer_id;

-- Stock changes from the processor's outbox (one per ledger line).
CREATE TABLE IF NOT EXISTS {db}.stock_changes (
    ledger_id UInt64,
    warehouse_id String,
    product_id String,
    reason String,
    delta Int64,
    balance Int64,
    movement_id String,
    occurred_at DateTime('UTC'),
    recorded_at DateTime('UTC'),
    _topic String,
    _partition UInt32,
    _offset UInt64
) ENGINE = MergeTree PARTITION BY toYYYYMM(occurred_at) ORDER BY (warehouse_id, product_id, ledger_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.stock_changes_positions_mv TO {db}.sink_positions AS
SELECT _topic AS topic, _partition AS partition, maxState(_offset) AS max_offset
FROM {db}.stock_changes GROUP BY _topic, _partition;

CREATE TABLE IF NOT EXISTS {db}.stock_changes_seen (ledger_id UInt64) ENGINE = MergeTree ORDER BY ledger_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.stock_changes_seen_mv TO {db}.stock_changes_seen AS
SELECT ledger_id FROM {db}.stock_changes;

-- Inbound and outbound quantity per warehouse, product and day.
CREATE TABLE IF NOT EXISTS {db}.stock_flow_daily (
    day Date,
    warehouse_id String,
    product_id String,
    inbound Int64,
    outbound Int64,
    counted Int64
) ENGINE = SummingMergeTree ORDER BY (day, warehouse_id, product_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.stock_flow_daily_mv TO {db}.stock_flow_daily AS
SELECT toDate(occurred_at) AS day, warehouse_id, product_id,
       sum(if(reason = 'arrival', delta, 0)) AS inbound,
       sum(if(reason = 'departure', -delta, 0)) AS outbound,
       sum(if(reason = 'inventory', delta, 0)) AS counted
FROM {db}.stock_changes GROUP BY day, warehouse_id, product_id;

-- Movement state changes from the processor's outbox.
CREATE TABLE IF NOT EXISTS {db}.movement_changes (
    movement_id String,
    version UInt32,
    status String,
    previous_status String,
    product_id String,
    sender_warehouse_id String,
    receiver_warehouse_id String,
    departed_at DateTime('UTC'),
    arrived_at DateTime('UTC'),
    departure_quantity Int64,
    arrival_quantity Int64,
    changed_at DateTime('UTC'),
    _topic String,
    _partition UInt32,
    _offset UInt64
) ENGINE = MergeTree ORDER BY (movement_id, version);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.movement_changes_positions_mv TO {db}.sink_positions AS
SELECT _topic AS topic, _partition AS partition, maxState(_offset) AS max_offset
FROM {db}.movement_changes GROUP BY _topic, _partition;

-- Completed movements per route (sender → receiver) and day of arrival: transit
-- time quantiles and quantity lost in transit. A movement becomes completed once.
CREATE TABLE IF NOT EXISTS {db}.route_transit_daily (
    day Date,
    sender_warehouse_id String,
    receiver_warehouse_id String,
    transit AggregateFunction(quantilesExact(0.5, 0.9, 0.99), Int64),
    movements AggregateFunction(count),
    sent AggregateFunction(sum, Int64),
    received AggregateFunction(sum, Int64),
    lost AggregateFunction(sum, Int64)
) ENGINE = AggregatingMergeTree ORDER BY (day, sender_warehouse_id, receiver_warehouse_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.route_transit_daily_mv TO {db}.route_transit_daily AS
SELECT toDate(arrived_at) AS day, sender_warehouse_id, receiver_warehouse_id,
       quantilesExactState(0.5, 0.9, 0.99)(toInt64(arrived_at) - toInt64(departed_at)) AS transit,
       countState() AS movements,
       sumState(departure_quantity) AS sent,
       sumState(arrival_quantity) AS received,
       sumState(if(departure_quantity > arrival_quantity, departure_quantity - arrival_quantity, 0)) AS lost
FROM {db}.movement_changes
WHERE status = 'completed' AND previous_status != 'completed'
GROUP BY day, sender_warehouse_id, receiver_warehouse_id;

-- Quantity in transit now, per sender and product: +departure on entering
-- in_transit, − on leaving it; the sum over all rows is the current amount.
CREATE TABLE IF NOT EXISTS {db}.in_transit (
    sender_warehouse_id String,
    product_id String,
    quantity Int64,
    movements Int64
) ENGINE = SummingMergeTree ORDER BY (sender_warehouse_id, product_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.in_transit_mv TO {db}.in_transit AS
SELECT sender_warehouse_id, product_id,
       sum(multiIf(status = 'in_transit' AND previous_status != 'in_transit', departure_quantity,
                   previous_status = 'in_transit' AND status != 'in_transit', -departure_quantity, 0)) AS quantity,
       sum(multiIf(status = 'in_transit' AND previous_status != 'in_transit', 1,
                   previous_status = 'in_transit' AND status != 'in_transit', -1, 0)) AS movements
FROM {db}.movement_changes
WHERE (status = 'in_transit') != (previous_status = 'in_transit')
GROUP BY sender_warehouse_id, product_id;
