-- Events reach each subscriber on its own: a subscriber that fails or hangs no longer holds
-- the others back. Every subscriber has a bit; an event row records which subscribers have
-- handled it (done_mask) and is `relayed` once all of them have.

CREATE TABLE event_subscribers (
    name TEXT PRIMARY KEY,
    bit  BIGINT NOT NULL UNIQUE CHECK (bit > 0)
);

ALTER TABLE outbox ADD COLUMN done_mask BIGINT NOT NULL DEFAULT 0;

-- Events a subscriber gave up on after its tries, with a copy of the event, so that support
-- can look at them and replay them after the outbox row is gone.
CREATE TABLE event_dead_letters (
    subscriber TEXT NOT NULL,
    event_id   BIGINT NOT NULL,
    topic      TEXT NOT NULL,
    key        UUID NOT NULL,
    payload    JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    error      TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    failed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (subscriber, event_id)
);

-- Retention: relayed events are deleted by age.
CREATE INDEX outbox_relayed_age ON outbox (created_at) WHERE relayed;
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX gateway_events_age ON gateway_events (received_at);
CREATE INDEX notifications_age ON notifications (created_at);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
