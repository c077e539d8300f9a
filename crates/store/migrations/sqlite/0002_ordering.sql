-- Carts, offers, orders, the outbox, idempotency keys, notifications and ratings.

ALTER TABLE restaurants ADD COLUMN kitchen_limit INTEGER;

CREATE TABLE carts (
    user_id       BLOB PRIMARY KEY NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    restaurant_id BLOB NOT NULL,
    promo_code    TEXT,
    updated_at    TEXT NOT NULL
);

CREATE TABLE cart_items (
    cart_item_id  BLOB PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES carts (user_id) ON DELETE CASCADE,
    item_id       BLOB NOT NULL,
    selection_key TEXT NOT NULL,
    selection     TEXT NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    unit_price    INTEGER NOT NULL CHECK (unit_price >= 0)
);
CREATE UNIQUE INDEX cart_items_merge ON cart_items (user_id, item_id, selection_key);

CREATE TABLE offers (
    offer_id        BLOB PRIMARY KEY NOT NULL,
    code            TEXT NOT NULL,
    description     TEXT,
    discount_type   TEXT NOT NULL CHECK (discount_type IN ('PERCENTAGE', 'FLAT')),
    discount_value  INTEGER NOT NULL CHECK (discount_value > 0),
    min_order_value INTEGER NOT NULL DEFAULT 0,
    max_discount    INTEGER,
    valid_from      TEXT,
    valid_until     TEXT,
    usage_limit     INTEGER,
    usage_count     INTEGER NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    per_user_limit  INTEGER,
    applicable_to   TEXT NOT NULL CHECK (applicable_to IN ('ALL', 'FIRST_ORDER', 'RESTAURANT')),
    restaurant_ids  TEXT NOT NULL,
    created_by      BLOB NOT NULL REFERENCES users (user_id),
    is_active       INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    CHECK (usage_limit IS NULL OR usage_count <= usage_limit)
);
CREATE UNIQUE INDEX offers_code_key ON offers (code);

CREATE TABLE orders (
    order_id                      BLOB PRIMARY KEY NOT NULL,
    user_id                       BLOB NOT NULL REFERENCES users (user_id),
    restaurant_id                 BLOB NOT NULL REFERENCES restaurants (restaurant_id),
    status                        TEXT NOT NULL,
    payment_method                TEXT NOT NULL,
    payment_status                TEXT NOT NULL,
    subtotal                      INTEGER NOT NULL,
    discount                      INTEGER NOT NULL,
    delivery_fee                  INTEGER NOT NULL,
    packaging_fee                 INTEGER NOT NULL,
    taxes                         INTEGER NOT NULL,
    total_amount                  INTEGER NOT NULL CHECK (total_amount >= 0),
    promo_code                    TEXT,
    offer_id                      BLOB,
    delivery_address              TEXT NOT NULL,
    delivery_instructions         TEXT,
    distance_km                   REAL NOT NULL,
    estimated_delivery_time       TEXT NOT NULL,
    estimated_preparation_minutes INTEGER,
    accept_by                     TEXT,
    cancel_reason                 TEXT,
    cancellation_fee              INTEGER NOT NULL DEFAULT 0,
    refund_amount                 INTEGER NOT NULL DEFAULT 0,
    created_at                    TEXT NOT NULL,
    updated_at                    TEXT NOT NULL
);
CREATE INDEX orders_user ON orders (user_id, order_id);
CREATE INDEX orders_restaurant ON orders (restaurant_id, order_id);
-- The acceptance timer looks for CONFIRMED orders past their deadline.
CREATE INDEX orders_awaiting ON orders (status, accept_by);

CREATE TABLE order_items (
    order_id       BLOB NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    line_no        INTEGER NOT NULL,
    item_id        BLOB NOT NULL,
    name           TEXT NOT NULL,
    quantity       INTEGER NOT NULL,
    unit_price     INTEGER NOT NULL,
    customizations TEXT NOT NULL,
    line_total     INTEGER NOT NULL,
    -- Units taken from tracked stock at checkout; exactly what a cancellation gives back.
    stock_taken    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE order_timeline (
    order_id BLOB NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    status   TEXT NOT NULL,
    actor    TEXT NOT NULL,
    note     TEXT,
    at       TEXT NOT NULL,
    PRIMARY KEY (order_id, seq)
);

CREATE TABLE offer_redemptions (
    order_id    BLOB PRIMARY KEY NOT NULL REFERENCES orders (order_id),
    offer_id    BLOB NOT NULL REFERENCES offers (offer_id),
    user_id     BLOB NOT NULL,
    redeemed_at TEXT NOT NULL,
    released_at TEXT
);
CREATE INDEX offer_redemptions_user ON offer_redemptions (offer_id, user_id);

CREATE TABLE outbox (
    event_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    topic      TEXT NOT NULL,
    key        BLOB NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    relayed    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (event_id) WHERE relayed = 0;

CREATE TABLE idempotency_keys (
    user_id      BLOB NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state        TEXT NOT NULL,
    status_code  INTEGER,
    response     TEXT,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE notifications (
    notification_id BLOB PRIMARY KEY NOT NULL,
    user_id         BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    order_id        BLOB,
    read_at         TEXT,
    created_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX notifications_once ON notifications (event_id, user_id);
CREATE INDEX notifications_user ON notifications (user_id, notification_id);

CREATE TABLE ratings (
    rating_id         BLOB NOT NULL,
    order_id          BLOB PRIMARY KEY NOT NULL REFERENCES orders (order_id),
    user_id           BLOB NOT NULL,
    restaurant_id     BLOB NOT NULL,
    restaurant_rating INTEGER NOT NULL CHECK (restaurant_rating BETWEEN 1 AND 5),
    delivery_rating   INTEGER NOT NULL CHECK (delivery_rating BETWEEN 1 AND 5),
    food_quality      INTEGER CHECK (food_quality BETWEEN 1 AND 5),
    review_text       TEXT,
    dish_ratings      TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX ratings_restaurant ON ratings (restaurant_id, rating_id);
