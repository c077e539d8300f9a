-- The operations console's dashboard.
--
-- The moments it measures, on the order's row as integer microseconds since 1970 (both
-- databases subtract and divide integers alike, so durations and hour buckets are counted in
-- SQL), and who cancelled. The timeline keeps the whole story; these are its first CONFIRMED,
-- PREPARING and DELIVERED moments, written by the same transaction.
ALTER TABLE orders ADD COLUMN placed_us INTEGER;
ALTER TABLE orders ADD COLUMN confirmed_us INTEGER;
ALTER TABLE orders ADD COLUMN accepted_us INTEGER;
ALTER TABLE orders ADD COLUMN delivered_us INTEGER;
ALTER TABLE orders ADD COLUMN cancelled_by TEXT;

-- Times are stored as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (0008): seconds from strftime, the fraction
-- from its six digits.
UPDATE orders SET
    placed_us = CAST(strftime('%s', created_at) AS INTEGER) * 1000000 + CAST(substr(created_at, 21, 6) AS INTEGER),
    confirmed_us = (SELECT CAST(strftime('%s', t.at) AS INTEGER) * 1000000 + CAST(substr(t.at, 21, 6) AS INTEGER)
                    FROM order_timeline t WHERE t.order_id = orders.order_id AND t.status = 'CONFIRMED' ORDER BY t.seq LIMIT 1),
    accepted_us = (SELECT CAST(strftime('%s', t.at) AS INTEGER) * 1000000 + CAST(substr(t.at, 21, 6) AS INTEGER)
                   FROM order_timeline t WHERE t.order_id = orders.order_id AND t.status = 'PREPARING' ORDER BY t.seq LIMIT 1),
    delivered_us = (SELECT CAST(strftime('%s', t.at) AS INTEGER) * 1000000 + CAST(substr(t.at, 21, 6) AS INTEGER)
                    FROM order_timeline t WHERE t.order_id = orders.order_id AND t.status = 'DELIVERED' ORDER BY t.seq LIMIT 1),
    cancelled_by = (SELECT t.actor FROM order_timeline t WHERE t.order_id = orders.order_id AND t.status = 'CANCELLED' ORDER BY t.seq LIMIT 1);

-- Every figure of a period is read from this index alone.
CREATE INDEX orders_dashboard ON orders (placed_us, status, total_amount, confirmed_us, accepted_us, delivered_us, cancelled_by);

-- Riders seen in each UTC hour (one row per rider and hour, written with their kept route
-- points), so "riders online per hour" counts a few thousand rows, not a day of positions.
CREATE TABLE rider_hours (
    hour     TEXT NOT NULL,
    rider_id BLOB NOT NULL,
    PRIMARY KEY (hour, rider_id)
);
INSERT OR IGNORE INTO rider_hours (hour, rider_id)
    SELECT strftime('%Y-%m-%dT%H:00:00.000000Z', recorded_at), rider_id FROM rider_locations
    WHERE strftime('%s', recorded_at) IS NOT NULL;
