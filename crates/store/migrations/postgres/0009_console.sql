-- The operations console's dashboard.
-- Riders seen in each UTC hour (one row per rider and hour, written with their stored
-- positions), so "riders online per hour" is a count over a few thousand rows, not a scan of
-- every position of the day.
CREATE TABLE rider_hours (
    hour     TIMESTAMPTZ NOT NULL,
    rider_id UUID NOT NULL,
    PRIMARY KEY (hour, rider_id)
);
INSERT INTO rider_hours (hour, rider_id)
    SELECT DISTINCT date_trunc('hour', recorded_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', rider_id FROM rider_locations
    ON CONFLICT DO NOTHING;
