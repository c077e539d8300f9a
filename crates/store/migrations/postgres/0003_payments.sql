-- Payments, refunds, gateway webhook receipts, wallets and the double-entry ledger.

-- A PENDING order (online payment) not paid by then is cancelled.
ALTER TABLE orders ADD COLUMN pay_by TIMESTAMPTZ;
CREATE INDEX orders_unpaid ON orders (status, pay_by);

CREATE TABLE payments (
    payment_id     UUID PRIMARY KEY,
    user_id        UUID NOT NULL REFERENCES users (user_id),
    -- NULL for a wallet top-up.
    order_id       UUID REFERENCES orders (order_id),
    purpose        TEXT NOT NULL CHECK (purpose IN ('ORDER', 'TOPUP')),
    method         TEXT NOT NULL CHECK (method IN ('COD', 'CARD', 'UPI', 'WALLET')),
    amount         BIGINT NOT NULL CHECK (amount >= 0),
    currency       TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'REVIEW')),
    gateway_ref    TEXT,
    gateway_url    TEXT,
    captured       BIGINT NOT NULL DEFAULT 0 CHECK (captured >= 0),
    refunded       BIGINT NOT NULL DEFAULT 0 CHECK (refunded >= 0),
    -- Card on file as the gateway describes it: never the number or the CVV.
    card_token     TEXT,
    card_brand     TEXT,
    card_last4     TEXT,
    card_expiry    TEXT,
    failure_reason TEXT,
    review_reason  TEXT,
    expires_at     TIMESTAMPTZ NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    CHECK (refunded <= captured)
);
CREATE INDEX payments_order ON payments (order_id);
CREATE INDEX payments_user ON payments (user_id, payment_id);
CREATE INDEX payments_open ON payments (status, created_at);
CREATE UNIQUE INDEX payments_gateway_ref ON payments (gateway_ref);

CREATE TABLE refunds (
    refund_id   UUID PRIMARY KEY,
    payment_id  UUID NOT NULL REFERENCES payments (payment_id),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    reason      TEXT NOT NULL,
    destination TEXT NOT NULL CHECK (destination IN ('ORIGINAL', 'WALLET')),
    -- PENDING: owed, not yet sent to the gateway; SUCCEEDED: done.
    status      TEXT NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED')),
    gateway_ref TEXT,
    actor       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX refunds_payment ON refunds (payment_id, refund_id);
CREATE INDEX refunds_pending ON refunds (status, refund_id);

-- Gateway events already applied: a replay changes nothing.
CREATE TABLE gateway_events (
    event_id    TEXT PRIMARY KEY NOT NULL,
    payment_id  UUID NOT NULL,
    kind        TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE wallets (
    user_id    UUID PRIMARY KEY REFERENCES users (user_id),
    balance    BIGINT NOT NULL CHECK (balance >= 0),
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE ledger_transactions (
    txn_id     UUID PRIMARY KEY,
    kind       TEXT NOT NULL,
    order_id   UUID,
    payment_id UUID,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ledger_transactions_order ON ledger_transactions (order_id);

CREATE TABLE ledger_entries (
    txn_id     UUID NOT NULL REFERENCES ledger_transactions (txn_id),
    line_no    INTEGER NOT NULL,
    account    TEXT NOT NULL,
    -- Debit positive, credit negative: each transaction sums to zero.
    amount     BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (txn_id, line_no)
);
CREATE INDEX ledger_entries_account ON ledger_entries (account, created_at);
