-- The operations console's dashboard.
-- Riders seen in each UTC hour (one row per rider and hour, written with their stored
-- positions), so "riders online per hour" is a count over a few thousand rows, not a scan of
-- every position of the day.
CREATE TABLE rider_hours (
    hour     TEXT NOT NULL,
    rider_id BLOB NOT NULL,
    PRIMARY KEY (hour, rider_id)
);
INSERT OR IGNORE INTO rider_hours (hour, rider_id)
    SELECT strftime('%Y-%m-%dT%H:00:00.000000Z', recorded_at), rider_id FROM rider_locations
    WHERE strftime('%s', recorded_at) IS NOT NULL;
