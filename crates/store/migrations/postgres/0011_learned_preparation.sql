-- How long each kitchen really takes, learned from its orders (accept to ready): a running mean
-- that starts at the promised `avg_preparation_minutes` (see `dabba_domain::learn`). Updated in
-- the transaction that marks an order READY, so each order counts once.
ALTER TABLE restaurants
    ADD COLUMN learned_preparation_minutes DOUBLE PRECISION,
    ADD COLUMN preparation_samples INTEGER NOT NULL DEFAULT 0;
