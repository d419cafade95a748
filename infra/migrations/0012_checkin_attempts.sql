-- 0012: the allowance of check-ins by ticket code at a kiosk (docs/appointments.md and docs/kiosk.md;
-- docs/kiosk.md). Plain SQL that SQLite and PostgreSQL both accept; safe to
-- run any number of times.
--
-- One row per check-in attempt from a kiosk (no session, or a kiosk session)
-- that did not check anyone in, keyed by the client (its address). A new
-- attempt is let through only by an INSERT … SELECT … WHERE (SELECT count(*)
-- …) < limit, so the allowance holds under any concurrency; a successful
-- check-in deletes its own row again, so busy kiosks are not slowed by the
-- people they serve. Rows older than the window are purged as attempts come.
CREATE TABLE IF NOT EXISTS checkin_attempts (
    id         TEXT    PRIMARY KEY,
    client_key TEXT    NOT NULL,
    at         INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS checkin_attempts_client_at ON checkin_attempts (client_key, at);
CREATE INDEX IF NOT EXISTS checkin_attempts_at ON checkin_attempts (at);
