-- Identity and catalog for the cluster backend.

CREATE TABLE users (
    user_id       UUID PRIMARY KEY,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL,
    email         TEXT,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('CUSTOMER', 'RESTAURANT', 'DELIVERY', 'ADMIN')),
    is_banned     BOOLEAN NOT NULL DEFAULT FALSE,
    ban_reason    TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_phone_key ON users (phone);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE sessions (
    session_id UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE addresses (
    address_id    UUID PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    address_type  TEXT NOT NULL CHECK (address_type IN ('HOME', 'WORK', 'OTHER')),
    address_line1 TEXT NOT NULL,
    address_line2 TEXT,
    landmark      TEXT,
    city          TEXT NOT NULL,
    state         TEXT,
    pincode       TEXT,
    latitude      DOUBLE PRECISION NOT NULL,
    longitude     DOUBLE PRECISION NOT NULL,
    is_default    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX addresses_user ON addresses (user_id);
-- At most one default address per user, whatever the interleaving of requests.
CREATE UNIQUE INDEX addresses_one_default ON addresses (user_id) WHERE is_default;

CREATE TABLE restaurants (
    restaurant_id           UUID PRIMARY KEY,
    owner_id                UUID NOT NULL REFERENCES users (user_id),
    name                    TEXT NOT NULL,
    description             TEXT,
    cuisines                JSONB NOT NULL,
    latitude                DOUBLE PRECISION NOT NULL,
    longitude               DOUBLE PRECISION NOT NULL,
    address                 JSONB NOT NULL,
    phone                   TEXT,
    cost_for_two            BIGINT NOT NULL CHECK (cost_for_two >= 0),
    avg_preparation_minutes INTEGER NOT NULL,
    delivery_radius_km      DOUBLE PRECISION NOT NULL,
    min_order_value         BIGINT NOT NULL CHECK (min_order_value >= 0),
    is_veg                  BOOLEAN NOT NULL,
    operating_hours         JSONB NOT NULL,
    timezone                TEXT NOT NULL,
    is_paused               BOOLEAN NOT NULL DEFAULT FALSE,
    is_banned               BOOLEAN NOT NULL DEFAULT FALSE,
    ban_reason              TEXT,
    rating_avg              DOUBLE PRECISION NOT NULL DEFAULT 0,
    rating_count            BIGINT NOT NULL DEFAULT 0,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX restaurants_geo ON restaurants (latitude, longitude);
CREATE INDEX restaurants_owner ON restaurants (owner_id);
CREATE INDEX restaurants_updated ON restaurants (updated_at);

CREATE TABLE menu_categories (
    category_id   UUID PRIMARY KEY,
    restaurant_id UUID NOT NULL REFERENCES restaurants (restaurant_id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX menu_categories_restaurant ON menu_categories (restaurant_id, position);

CREATE TABLE menu_items (
    item_id        UUID PRIMARY KEY,
    restaurant_id  UUID NOT NULL REFERENCES restaurants (restaurant_id) ON DELETE CASCADE,
    category_id    UUID NOT NULL REFERENCES menu_categories (category_id),
    name           TEXT NOT NULL,
    description    TEXT,
    price          BIGINT NOT NULL CHECK (price >= 0),
    is_veg         BOOLEAN NOT NULL,
    is_available   BOOLEAN NOT NULL,
    is_bestseller  BOOLEAN NOT NULL,
    stock          BIGINT CHECK (stock IS NULL OR stock >= 0),
    image          TEXT,
    position       INTEGER NOT NULL,
    customizations JSONB NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX menu_items_restaurant ON menu_items (restaurant_id, position);
CREATE INDEX menu_items_category ON menu_items (category_id);
