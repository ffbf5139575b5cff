-- Movements, exact stock and the bookkeeping that makes their updates
-- exactly-once: consumer offsets and the outbox, written in the same
-- transaction as the state they describe.

CREATE TABLE movements (
    movement_id          uuid PRIMARY KEY,
    status               text NOT NULL CHECK (status IN ('in_transit', 'completed', 'arrived_first', 'pending_stock', 'rejected')),
    product_id           uuid NOT NULL,
    -- departure leg (sender)
    dep_event_id         text,
    dep_warehouse_id     uuid,
    dep_source           text,
    dep_product_id       uuid,
    dep_quantity         integer CHECK (dep_quantity > 0),
    departed_at          timestamptz,
    dep_state            text CHECK (dep_state IN ('applied', 'pending', 'rejected')),
    dep_pending_since    timestamptz,
    dep_pending_until    timestamptz,
    dep_reject_reason    text,
    -- arrival leg (receiver)
    arr_event_id         text,
    arr_warehouse_id     uuid,
    arr_source           text,
    arr_product_id       uuid,
    arr_quantity         integer CHECK (arr_quantity > 0),
    arrived_at           timestamptz,
    anomalies            jsonb NOT NULL DEFAULT '[]',
    version              integer NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((dep_state IS NULL) = (dep_event_id IS NULL)),
    CHECK (dep_event_id IS NOT NULL OR arr_event_id IS NOT NULL)
);

-- Held departures, found by the stock they wait for and by when their hold ends.
CREATE INDEX movements_pending_by_stock ON movements (dep_warehouse_id, dep_product_id) WHERE dep_state = 'pending';
CREATE INDEX movements_pending_until ON movements (dep_pending_until) WHERE dep_state = 'pending';

CREATE TABLE stock (
    warehouse_id  uuid NOT NULL,
    product_id    uuid NOT NULL,
    -- The rule the whole pipeline keeps; the constraint is the last line of defence.
    quantity      bigint NOT NULL CHECK (quantity >= 0),
    version       bigint NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (warehouse_id, product_id)
);

-- Every change of every stock level, with the balance after it.
CREATE TABLE stock_ledger (
    id            bigserial PRIMARY KEY,
    warehouse_id  uuid NOT NULL,
    product_id    uuid NOT NULL,
    reason        text NOT NULL CHECK (reason IN ('departure', 'arrival', 'inventory')),
    delta         bigint NOT NULL,
    balance       bigint NOT NULL CHECK (balance >= 0),
    movement_id   uuid NOT NULL,
    event_id      text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_ledger_by_stock ON stock_ledger (warehouse_id, product_id, id DESC);

CREATE TABLE stock_counts (
    count_id      uuid PRIMARY KEY,
    warehouse_id  uuid NOT NULL,
    product_id    uuid NOT NULL,
    quantity      bigint NOT NULL CHECK (quantity >= 0),
    counted_at    timestamptz NOT NULL,
    event_id      text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);

-- Kafka positions owned by Postgres: a batch's effects and its offset commit
-- together, so redelivery after a crash or rebalance is skipped, not re-applied.
CREATE TABLE consumer_offsets (
    consumer_group  text NOT NULL,
    topic           text NOT NULL,
    partition       integer NOT NULL,
    next_offset     bigint NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);

-- Messages to publish, written in the transaction that caused them; a relay
-- sends them to Kafka and deletes them, so a commit is never lost on the way.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    topic       text NOT NULL,
    key         text NOT NULL,
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
