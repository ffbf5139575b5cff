-- What GET /orders/metrics and /orders/status answer without scanning every
-- order: finished orders are counted by the orders role as it settles each
-- batch (one row per status, so the intake never contends on a counter), with
-- the sum of their processing seconds for an exact average; unfinished ones
-- are few and indexed (orders_unfinished).
CREATE TABLE order_totals (
    status              text PRIMARY KEY CHECK (status IN ('completed', 'failed')),
    orders              bigint NOT NULL DEFAULT 0,
    processing_seconds  double precision NOT NULL DEFAULT 0
);
INSERT INTO order_totals (status) VALUES ('completed'), ('failed');

-- The latest finished orders (processing-time quantiles), and the last minute's intake.
CREATE INDEX orders_finished ON orders (completed_at) WHERE completed_at IS NOT NULL;
CREATE INDEX orders_by_created ON orders (created_at);
