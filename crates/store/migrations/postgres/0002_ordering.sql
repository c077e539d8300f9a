-- Carts, offers, orders, the outbox, idempotency keys, notifications and ratings.

ALTER TABLE restaurants ADD COLUMN kitchen_limit INTEGER;

CREATE TABLE carts (
    user_id       UUID PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    restaurant_id UUID NOT NULL,
    promo_code    TEXT,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE cart_items (
    cart_item_id  UUID PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES carts (user_id) ON DELETE CASCADE,
    item_id       UUID NOT NULL,
    selection_key TEXT NOT NULL,
    selection     JSONB NOT NULL,
    quantity      BIGINT NOT NULL CHECK (quantity > 0),
    unit_price    BIGINT NOT NULL CHECK (unit_price >= 0)
);
CREATE UNIQUE INDEX cart_items_merge ON cart_items (user_id, item_id, selection_key);

CREATE TABLE offers (
    offer_id        UUID PRIMARY KEY,
    code            TEXT NOT NULL,
    description     TEXT,
    discount_type   TEXT NOT NULL CHECK (discount_type IN ('PERCENTAGE', 'FLAT')),
    discount_value  BIGINT NOT NULL CHECK (discount_value > 0),
    min_order_value BIGINT NOT NULL DEFAULT 0,
    max_discount    BIGINT,
    valid_from      TIMESTAMPTZ,
    valid_until     TIMESTAMPTZ,
    usage_limit     BIGINT,
    usage_count     BIGINT NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    per_user_limit  BIGINT,
    applicable_to   TEXT NOT NULL CHECK (applicable_to IN ('ALL', 'FIRST_ORDER', 'RESTAURANT')),
    restaurant_ids  JSONB NOT NULL,
    created_by      UUID NOT NULL REFERENCES users (user_id),
    is_active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL,
    CHECK (usage_limit IS NULL OR usage_count <= usage_limit)
);
CREATE UNIQUE INDEX offers_code_key ON offers (code);

CREATE TABLE orders (
    order_id                      UUID PRIMARY KEY,
    user_id                       UUID NOT NULL REFERENCES users (user_id),
    restaurant_id                 UUID NOT NULL REFERENCES restaurants (restaurant_id),
    status                        TEXT NOT NULL,
    payment_method                TEXT NOT NULL,
    payment_status                TEXT NOT NULL,
    subtotal                      BIGINT NOT NULL,
    discount                      BIGINT NOT NULL,
    delivery_fee                  BIGINT NOT NULL,
    packaging_fee                 BIGINT NOT NULL,
    taxes                         BIGINT NOT NULL,
    total_amount                  BIGINT NOT NULL CHECK (total_amount >= 0),
    promo_code                    TEXT,
    offer_id                      UUID,
    delivery_address              JSONB NOT NULL,
    delivery_instructions         TEXT,
    distance_km                   DOUBLE PRECISION NOT NULL,
    estimated_delivery_time       TIMESTAMPTZ NOT NULL,
    estimated_preparation_minutes INTEGER,
    accept_by                     TIMESTAMPTZ,
    cancel_reason                 TEXT,
    cancellation_fee              BIGINT NOT NULL DEFAULT 0,
    refund_amount                 BIGINT NOT NULL DEFAULT 0,
    created_at                    TIMESTAMPTZ NOT NULL,
    updated_at                    TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_user ON orders (user_id, order_id);
CREATE INDEX orders_restaurant ON orders (restaurant_id, order_id);
-- The acceptance timer looks for CONFIRMED orders past their deadline.
CREATE INDEX orders_awaiting ON orders (status, accept_by);

CREATE TABLE order_items (
    order_id       UUID NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    line_no        INTEGER NOT NULL,
    item_id        UUID NOT NULL,
    name           TEXT NOT NULL,
    quantity       BIGINT NOT NULL,
    unit_price     BIGINT NOT NULL,
    customizations JSONB NOT NULL,
    line_total     BIGINT NOT NULL,
    -- Units taken from tracked stock at checkout; exactly what a cancellation gives back.
    stock_taken    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE order_timeline (
    order_id UUID NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    status   TEXT NOT NULL,
    actor    TEXT NOT NULL,
    note     TEXT,
    at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (order_id, seq)
);

CREATE TABLE offer_redemptions (
    order_id    UUID PRIMARY KEY REFERENCES orders (order_id),
    offer_id    UUID NOT NULL REFERENCES offers (offer_id),
    user_id     UUID NOT NULL,
    redeemed_at TIMESTAMPTZ NOT NULL,
    released_at TIMESTAMPTZ
);
CREATE INDEX offer_redemptions_user ON offer_redemptions (offer_id, user_id);

CREATE TABLE outbox (
    event_id   BIGSERIAL PRIMARY KEY,
    topic      TEXT NOT NULL,
    key        UUID NOT NULL,
    payload    JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    relayed    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX outbox_pending ON outbox (event_id) WHERE NOT relayed;

CREATE TABLE idempotency_keys (
    user_id      UUID NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state        TEXT NOT NULL,
    status_code  INTEGER,
    response     JSONB,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE notifications (
    notification_id UUID PRIMARY KEY,
    user_id         UUID NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    event_id        BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    order_id        UUID,
    read_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX notifications_once ON notifications (event_id, user_id);
CREATE INDEX notifications_user ON notifications (user_id, notification_id);

CREATE TABLE ratings (
    rating_id         UUID NOT NULL,
    order_id          UUID PRIMARY KEY REFERENCES orders (order_id),
    user_id           UUID NOT NULL,
    restaurant_id     UUID NOT NULL,
    restaurant_rating INTEGER NOT NULL CHECK (restaurant_rating BETWEEN 1 AND 5),
    delivery_rating   INTEGER NOT NULL CHECK (delivery_rating BETWEEN 1 AND 5),
    food_quality      INTEGER CHECK (food_quality BETWEEN 1 AND 5),
    review_text       TEXT,
    dish_ratings      JSONB NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX ratings_restaurant ON ratings (restaurant_id, rating_id);
