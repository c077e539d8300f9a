-- The operations console's dashboard.
--
-- The moments it measures, on the order's row as integer microseconds since 1970 (both
-- databases subtract and divide integers alike, so durations and hour buckets are counted in
-- SQL), and who cancelled. The timeline keeps the whole story; these are its first CONFIRMED,
-- PREPARING and DELIVERED moments, written by the same transaction.
ALTER TABLE orders ADD COLUMN placed_us BIGINT;
ALTER TABLE orders ADD COLUMN confirmed_us BIGINT;
ALTER TABLE orders ADD COLUMN accepted_us BIGINT;
ALTER TABLE orders ADD COLUMN delivered_us BIGINT;
ALTER TABLE orders ADD COLUMN cancelled_by TEXT;

UPDATE orders SET
    placed_us = (EXTRACT(EPOCH FROM created_at) * 1000000)::BIGINT,
    confirmed_us = (SELECT (EXTRACT(EPOCH FROM t.at) * 1000000)::BIGINT FROM order_timeline t
                    WHERE t.order_id = orders.order_id AND t.status = 'CONFIRMED' ORDER BY t.seq LIMIT 1),
    accepted_us = (SELECT (EXTRACT(EPOCH FROM t.at) * 1000000)::BIGINT FROM order_timeline t
                   WHERE t.order_id = orders.order_id AND t.status = 'PREPARING' ORDER BY t.seq LIMIT 1),
    delivered_us = (SELECT (EXTRACT(EPOCH FROM t.at) * 1000000)::BIGINT FROM order_timeline t
                    WHERE t.order_id = orders.order_id AND t.status = 'DELIVERED' ORDER BY t.seq LIMIT 1),
    cancelled_by = (SELECT t.actor FROM order_timeline t
                    WHERE t.order_id = orders.order_id AND t.status = 'CANCELLED' ORDER BY t.seq LIMIT 1);

-- Every figure of a period is read from this index alone.
CREATE INDEX orders_dashboard ON orders (placed_us, status, total_amount, confirmed_us, accepted_us, delivered_us, cancelled_by);

-- Riders seen in each UTC hour (one row per rider and hour, written with their kept route
-- points), so "riders online per hour" counts a few thousand rows, not a day of positions.
CREATE TABLE rider_hours (
    hour     TIMESTAMPTZ NOT NULL,
    rider_id UUID NOT NULL,
    PRIMARY KEY (hour, rider_id)
);
INSERT INTO rider_hours (hour, rider_id)
    SELECT DISTINCT date_trunc('hour', recorded_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', rider_id FROM rider_locations
    ON CONFLICT DO NOTHING;
