-- Identity and catalog for the embedded backend. UUIDs are 16-byte BLOBs, times RFC 3339 TEXT
-- in UTC, booleans 0/1, JSON columns TEXT.

CREATE TABLE users (
    user_id       BLOB PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL,
    email         TEXT,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('CUSTOMER', 'RESTAURANT', 'DELIVERY', 'ADMIN')),
    is_banned     INTEGER NOT NULL DEFAULT 0,
    ban_reason    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_phone_key ON users (phone);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE sessions (
    session_id BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE addresses (
    address_id    BLOB PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    address_type  TEXT NOT NULL CHECK (address_type IN ('HOME', 'WORK', 'OTHER')),
    address_line1 TEXT NOT NULL,
    address_line2 TEXT,
    landmark      TEXT,
    city          TEXT NOT NULL,
    state         TEXT,
    pincode       TEXT,
    latitude      REAL NOT NULL,
    longitude     REAL NOT NULL,
    is_default    INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE INDEX addresses_user ON addresses (user_id);
-- At most one default address per user, whatever the interleaving of requests.
CREATE UNIQUE INDEX addresses_one_default ON addresses (user_id) WHERE is_default;

CREATE TABLE restaurants (
    restaurant_id           BLOB PRIMARY KEY NOT NULL,
    owner_id                BLOB NOT NULL REFERENCES users (user_id),
    name                    TEXT NOT NULL,
    description             TEXT,
    cuisines                TEXT NOT NULL,
    latitude                REAL NOT NULL,
    longitude               REAL NOT NULL,
    address                 TEXT NOT NULL,
    phone                   TEXT,
    cost_for_two            INTEGER NOT NULL CHECK (cost_for_two >= 0),
    avg_preparation_minutes INTEGER NOT NULL,
    delivery_radius_km      REAL NOT NULL,
    min_order_value         INTEGER NOT NULL CHECK (min_order_value >= 0),
    is_veg                  INTEGER NOT NULL,
    operating_hours         TEXT NOT NULL,
    timezone                TEXT NOT NULL,
    is_paused               INTEGER NOT NULL DEFAULT 0,
    is_banned               INTEGER NOT NULL DEFAULT 0,
    ban_reason              TEXT,
    rating_avg              REAL NOT NULL DEFAULT 0,
    rating_count            INTEGER NOT NULL DEFAULT 0,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX restaurants_geo ON restaurants (latitude, longitude);
CREATE INDEX restaurants_owner ON restaurants (owner_id);
CREATE INDEX restaurants_updated ON restaurants (updated_at);

CREATE TABLE menu_categories (
    category_id   BLOB PRIMARY KEY NOT NULL,
    restaurant_id BLOB NOT NULL REFERENCES restaurants (restaurant_id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX menu_categories_restaurant ON menu_categories (restaurant_id, position);

CREATE TABLE menu_items (
    item_id        BLOB PRIMARY KEY NOT NULL,
    restaurant_id  BLOB NOT NULL REFERENCES restaurants (restaurant_id) ON DELETE CASCADE,
    category_id    BLOB NOT NULL REFERENCES menu_categories (category_id),
    name           TEXT NOT NULL,
    description    TEXT,
    price          INTEGER NOT NULL CHECK (price >= 0),
    is_veg         INTEGER NOT NULL,
    is_available   INTEGER NOT NULL,
    is_bestseller  INTEGER NOT NULL,
    stock          INTEGER CHECK (stock IS NULL OR stock >= 0),
    image          TEXT,
    position       INTEGER NOT NULL,
    customizations TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX menu_items_restaurant ON menu_items (restaurant_id, position);
CREATE INDEX menu_items_category ON menu_items (category_id);
