-- 0012 (PostgreSQL): the allowance of check-ins by ticket code at a kiosk.
-- The same schema as ../0012_checkin_attempts.sql (comments there). Safe to
-- run any number of times.
CREATE TABLE IF NOT EXISTS checkin_attempts (
    id         TEXT    PRIMARY KEY,
    client_key TEXT    NOT NULL,
    at         BIGINT  NOT NULL
);

CREATE INDEX IF NOT EXISTS checkin_attempts_client_at ON checkin_attempts (client_key, at);
CREATE INDEX IF NOT EXISTS checkin_attempts_at ON checkin_attempts (at);
