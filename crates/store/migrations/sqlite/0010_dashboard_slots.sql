-- The dashboard's settled quarter hours (see `dabba_store::dashboard`): once every order placed
-- in a quarter hour has ended, its counts are kept here and read instead of its orders.
CREATE TABLE dashboard_slots (
    -- The quarter's start, microseconds since 1970 (UTC), a multiple of 900,000,000.
    slot_us INTEGER PRIMARY KEY,
    -- Its SlotFigures, as JSON.
    figures TEXT NOT NULL
);
