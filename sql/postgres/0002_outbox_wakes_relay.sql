-- The outbox relay runs as its own role (often its own process): every
-- statement that adds to the outbox tells it so, delivered when the writing
-- transaction commits, so it publishes at once instead of at its next poll.
-- Postgres folds the identical notifications of one transaction into one.
CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('stockflow_outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_wakes_relay
    AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();
