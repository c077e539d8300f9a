-- Hardening: fenced idempotency claims, who funds an offer, fair reconciliation, refund
-- retries with a terminal FAILED state, and admin approval of restaurant owners and riders.

-- A claim's token: only its holder stores the answer; a stale claim is taken over by
-- compare-and-set on it.
ALTER TABLE idempotency_keys ADD COLUMN claim_token UUID;
UPDATE idempotency_keys SET claim_token = gen_random_uuid() WHERE claim_token IS NULL;

-- Who pays an offer's discount: the platform (admins' offers) or the restaurant (owners').
ALTER TABLE offers ADD COLUMN funded_by TEXT NOT NULL DEFAULT 'PLATFORM'
    CHECK (funded_by IN ('PLATFORM', 'RESTAURANT'));
UPDATE offers SET funded_by = 'RESTAURANT'
    WHERE created_by IN (SELECT user_id FROM users WHERE role = 'RESTAURANT');
-- The part of an order's discount its restaurant funds. Orders delivered before this stay
-- as their ledger booked them (all platform-funded).
ALTER TABLE orders ADD COLUMN restaurant_discount BIGINT NOT NULL DEFAULT 0
    CHECK (restaurant_discount >= 0 AND restaurant_discount <= discount);

-- Orders not yet split at delivery take the new rule.
UPDATE orders SET restaurant_discount = discount
    WHERE status NOT IN ('DELIVERED', 'COMPLETED')
      AND offer_id IN (SELECT offer_id FROM offers WHERE funded_by = 'RESTAURANT');

-- When the gateway was last asked about an open payment: reconciliation asks the
-- longest-unasked first.
ALTER TABLE payments ADD COLUMN checked_at TIMESTAMPTZ;
CREATE INDEX payments_reconcile ON payments (status, checked_at);

-- Refunds gain retries: attempts so far, when to try again, the last error, and FAILED after
-- the last try (support settles it by hand).
ALTER TABLE refunds DROP CONSTRAINT refunds_status_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_status_check CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED'));
ALTER TABLE refunds ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at TIMESTAMPTZ,
    ADD COLUMN last_error TEXT;
DROP INDEX refunds_pending;
CREATE INDEX refunds_pending ON refunds (status, next_attempt_at);

-- Owners and riders who registered themselves wait for an admin's approval before they see
-- anyone's order; everyone there before this was approved.
ALTER TABLE users ADD COLUMN approved_at TIMESTAMPTZ;
UPDATE users SET approved_at = created_at;
