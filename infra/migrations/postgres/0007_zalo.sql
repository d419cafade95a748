-- 0007 (PostgreSQL): Zalo OA chat-bot. The same schema as ../0007_zalo.sql
-- (comments there). Safe to run any number of times.
CREATE TABLE IF NOT EXISTS zalo_processed_events (
    event_key   TEXT    PRIMARY KEY,
    received_at BIGINT  NOT NULL
);

CREATE INDEX IF NOT EXISTS zalo_processed_events_received ON zalo_processed_events (received_at);
