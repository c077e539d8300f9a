-- Each time zone's traffic by local hour, learned from delivered trips: the share of the
-- vehicles' city speed riders really made (a running mean from the model's rush hours, see
-- `dabba_domain::learn` and `dabba_domain::eta::Traffic`).
CREATE TABLE learned_traffic (
    zone    TEXT NOT NULL,
    hour    INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    factor  REAL NOT NULL,
    samples INTEGER NOT NULL,
    PRIMARY KEY (zone, hour)
);
