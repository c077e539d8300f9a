-- Riders, assignment of orders to riders, the delivery OTP, and the downsampled location
-- history kept for disputes.

CREATE TABLE riders (
    user_id        UUID PRIMARY KEY REFERENCES users (user_id),
    vehicle_type   TEXT NOT NULL CHECK (vehicle_type IN ('BICYCLE', 'SCOOTER', 'MOTORCYCLE', 'CAR')),
    vehicle_number TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

ALTER TABLE orders ADD COLUMN rider_id UUID REFERENCES users (user_id);
ALTER TABLE orders ADD COLUMN assigned_at TIMESTAMPTZ;
-- Four digits the customer tells the rider at the door.
ALTER TABLE orders ADD COLUMN delivery_otp TEXT;
ALTER TABLE orders ADD COLUMN otp_attempts INTEGER NOT NULL DEFAULT 0;
-- A rider's current orders; dispatch's orders still without a rider.
CREATE INDEX orders_rider ON orders (rider_id, status);

CREATE TABLE rider_locations (
    rider_id    UUID NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    latitude    DOUBLE PRECISION NOT NULL,
    longitude   DOUBLE PRECISION NOT NULL,
    order_id    UUID,
    PRIMARY KEY (rider_id, recorded_at)
);
CREATE INDEX rider_locations_age ON rider_locations (recorded_at);
