-- Payments, refunds, gateway webhook receipts, wallets and the double-entry ledger.

-- A PENDING order (online payment) not paid by then is cancelled.
ALTER TABLE orders ADD COLUMN pay_by TEXT;
CREATE INDEX orders_unpaid ON orders (status, pay_by);

CREATE TABLE payments (
    payment_id     BLOB PRIMARY KEY NOT NULL,
    user_id        BLOB NOT NULL REFERENCES users (user_id),
    -- NULL for a wallet top-up.
    order_id       BLOB REFERENCES orders (order_id),
    purpose        TEXT NOT NULL CHECK (purpose IN ('ORDER', 'TOPUP')),
    method         TEXT NOT NULL CHECK (method IN ('COD', 'CARD', 'UPI', 'WALLET')),
    amount         INTEGER NOT NULL CHECK (amount >= 0),
    currency       TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'REVIEW')),
    gateway_ref    TEXT,
    gateway_url    TEXT,
    captured       INTEGER NOT NULL DEFAULT 0 CHECK (captured >= 0),
    refunded       INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0),
    -- Card on file as the gateway describes it: never the number or the CVV.
    card_token     TEXT,
    card_brand     TEXT,
    card_last4     TEXT,
    card_expiry    TEXT,
    failure_reason TEXT,
    review_reason  TEXT,
    expires_at     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK (refunded <= captured)
);
CREATE INDEX payments_order ON payments (order_id);
CREATE INDEX payments_user ON payments (user_id, payment_id);
CREATE INDEX payments_open ON payments (status, created_at);
CREATE UNIQUE INDEX payments_gateway_ref ON payments (gateway_ref);

CREATE TABLE refunds (
    refund_id   BLOB PRIMARY KEY NOT NULL,
    payment_id  BLOB NOT NULL REFERENCES payments (payment_id),
    amount      INTEGER NOT NULL CHECK (amount > 0),
    reason      TEXT NOT NULL,
    destination TEXT NOT NULL CHECK (destination IN ('ORIGINAL', 'WALLET')),
    -- PENDING: owed, not yet sent to the gateway; SUCCEEDED: done.
    status      TEXT NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED')),
    gateway_ref TEXT,
    actor       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX refunds_payment ON refunds (payment_id, refund_id);
CREATE INDEX refunds_pending ON refunds (status, refund_id);

-- Gateway events already applied: a replay changes nothing.
CREATE TABLE gateway_events (
    event_id    TEXT PRIMARY KEY NOT NULL,
    payment_id  BLOB NOT NULL,
    kind        TEXT NOT NULL,
    received_at TEXT NOT NULL
);

CREATE TABLE wallets (
    user_id    BLOB PRIMARY KEY NOT NULL REFERENCES users (user_id),
    balance    INTEGER NOT NULL CHECK (balance >= 0),
    updated_at TEXT NOT NULL
);

CREATE TABLE ledger_transactions (
    txn_id     BLOB PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL,
    order_id   BLOB,
    payment_id BLOB,
    created_at TEXT NOT NULL
);
CREATE INDEX ledger_transactions_order ON ledger_transactions (order_id);

CREATE TABLE ledger_entries (
    txn_id     BLOB NOT NULL REFERENCES ledger_transactions (txn_id),
    line_no    INTEGER NOT NULL,
    account    TEXT NOT NULL,
    -- Debit positive, credit negative: each transaction sums to zero.
    amount     INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (txn_id, line_no)
);
CREATE INDEX ledger_entries_account ON ledger_entries (account, created_at);
