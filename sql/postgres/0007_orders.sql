-- Orders (seed 004): taken over HTTP or Kafka, processed by the `orders` role,
-- which prices them against the catalog and reserves their items from stock.
CREATE TABLE orders (
    order_id      text PRIMARY KEY,
    user_id       text NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    total_amount  numeric(14, 2) NOT NULL CHECK (total_amount >= 0),
    -- The warehouse the order asks to be served from; NULL: wherever holds the most.
    warehouse_id  uuid,
    -- Why it failed: {code, message, …} (see domain/order.ts OrderFailure).
    failure       jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz,
    CHECK ((status = 'failed') = (failure IS NOT NULL)),
    CHECK ((status IN ('completed', 'failed')) = (completed_at IS NOT NULL))
);
-- The queue: unfinished orders, oldest first (GET /orders/status).
CREATE INDEX orders_unfinished ON orders (created_at, order_id) WHERE status IN ('pending', 'processing');

CREATE TABLE order_items (
    order_id      text NOT NULL REFERENCES orders ON DELETE CASCADE,
    line          integer NOT NULL,
    product_id    text NOT NULL,
    quantity      integer NOT NULL CHECK (quantity > 0),
    -- The catalog's price, set when the order was priced.
    unit_price    numeric(14, 2),
    -- Where its units were reserved, once they were.
    warehouse_id  uuid,
    PRIMARY KEY (order_id, line)
);

-- Every status an order took, when and why.
CREATE TABLE order_transitions (
    order_id  text NOT NULL REFERENCES orders ON DELETE CASCADE,
    seq       integer NOT NULL,
    status    text NOT NULL,
    reason    jsonb,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (order_id, seq)
);

-- Idempotency-Key of POST /orders: the first response is kept and replayed
-- to a retry with the same body (request_hash); kept at least 24 hours.
CREATE TABLE idempotency_keys (
    key           text PRIMARY KEY,
    request_hash  text NOT NULL,
    status_code   integer NOT NULL,
    response      jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- A reservation is a stock change in the one ledger, by an order rather than a movement.
ALTER TABLE stock_ledger
    ALTER COLUMN movement_id DROP NOT NULL,
    ADD COLUMN order_id text,
    DROP CONSTRAINT stock_ledger_reason_check,
    ADD CONSTRAINT stock_ledger_reason_check
        CHECK (reason IN ('departure', 'arrival', 'inventory', 'order')),
    ADD CONSTRAINT stock_ledger_cause_check
        CHECK ((movement_id IS NULL) <> (order_id IS NULL) AND (reason = 'order') = (order_id IS NOT NULL));
CREATE INDEX stock_ledger_by_order ON stock_ledger (order_id) WHERE order_id IS NOT NULL;
