-- 0015: notices to citizens and their delivery (docs/notifications.md).
-- Plain SQLite; safe to run any number of times.
--
-- A notice is written by a trigger of the change it reports (a booking, a
-- status change, an issued document, a share used, a login from a client
-- the account never used), so it commits or rolls back with that change:
-- a committed change always has its notice, and a change that failed has
-- none. Notices that depend on the time (the reminder the day before, the
-- check-in window opening) are written by the dispatcher, and the alerts'
-- fan-out by a trigger of migration 0016, each with a `dedupe_key`, which
-- is UNIQUE: however many writers run at once, each is written once.
--
-- The notice is also its own outbox row: `dispatch` is 'pending' until the
-- dispatcher has delivered it outside the app (Zalo, SMS) or found there is
-- nothing to send; a dispatcher claims it by setting `lease_until` in one
-- conditional UPDATE, so two dispatchers never send the same notice.

CREATE TABLE IF NOT EXISTS notifications (
    id          INTEGER PRIMARY KEY,
    account_id  TEXT    NOT NULL,
    -- What happened (docs/notifications.md, "Kinds").
    kind        TEXT    NOT NULL,
    -- The id of what it is about (an appointment, a feedback item, a
    -- document, a share, a session, an alert).
    ref_id      TEXT    NOT NULL,
    -- How to name it: a service code, a tracking code, a document title.
    subject     TEXT,
    -- The new status, the client, the share's purpose.
    detail      TEXT,
    -- The official's answer to a feedback item.
    note        TEXT,
    -- When the thing it is about happens (a slot's start), Unix seconds.
    at_time     INTEGER,
    -- Set only by writers that could run twice for one event.
    dedupe_key  TEXT    UNIQUE,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER,
    deleted_at  INTEGER,
    dispatch    TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (dispatch IN ('pending', 'done', 'failed')),
    -- Not to be tried before (retry backoff, quiet hours).
    due_at      INTEGER NOT NULL,
    -- A dispatcher holds the notice until then; 0 = nobody.
    lease_until INTEGER NOT NULL DEFAULT 0,
    -- Which dispatcher holds it (a random token, so a slow one whose lease
    -- ran out cannot record over the one that took it next).
    lease       TEXT,
    tries       INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX IF NOT EXISTS notifications_inbox ON notifications (account_id, id)
    WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS notifications_unread ON notifications (account_id)
    WHERE deleted_at IS NULL AND read_at IS NULL;
CREATE INDEX IF NOT EXISTS notifications_due ON notifications (due_at)
    WHERE dispatch = 'pending';
-- Notices and their delivery records are kept for a year
-- (notify/dispatch.rs, KEEP_SECONDS); the purges walk these.
CREATE INDEX IF NOT EXISTS notifications_created ON notifications (created_at);
-- The rows a dispatcher holds right now: few, found by its lease token.
CREATE INDEX IF NOT EXISTS notifications_held ON notifications (lease)
    WHERE lease IS NOT NULL;

-- One row per (notice, channel) tried: the outcome, the provider's
-- tracking id and how many attempts it took. The primary key makes a
-- channel's delivery idempotent: a notice is sent on a channel under one
-- tracking id (`n<id>-<channel>`), which the providers de-duplicate on.
CREATE TABLE IF NOT EXISTS notification_deliveries (
    notification_id INTEGER NOT NULL,
    channel         TEXT    NOT NULL CHECK (channel IN ('zalo_oa', 'zalo_zns', 'sms')),
    status          TEXT    NOT NULL CHECK (status IN ('retrying', 'sent', 'failed')),
    attempts        INTEGER NOT NULL,
    tracking_id     TEXT    NOT NULL,
    last_error      TEXT,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (notification_id, channel)
);

CREATE INDEX IF NOT EXISTS notification_deliveries_updated ON notification_deliveries (updated_at);

-- Every attempt, for support and for the tests that count sends.
CREATE TABLE IF NOT EXISTS notification_attempts (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    outcome         TEXT    NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
    error           TEXT
);

CREATE INDEX IF NOT EXISTS notification_attempts_of ON notification_attempts (notification_id, id);
CREATE INDEX IF NOT EXISTS notification_attempts_at ON notification_attempts (at);

-- The citizen's choices. No row = the defaults (docs/notifications.md).
-- Quiet hours are minutes after local midnight (Asia/Ho_Chi_Minh).
CREATE TABLE IF NOT EXISTS notification_settings (
    account_id  TEXT    PRIMARY KEY,
    lang        TEXT    NOT NULL DEFAULT 'vi' CHECK (lang IN ('vi', 'en')),
    quiet_start INTEGER NOT NULL DEFAULT 1320 CHECK (quiet_start BETWEEN 0 AND 1439),
    quiet_end   INTEGER NOT NULL DEFAULT 360 CHECK (quiet_end BETWEEN 0 AND 1439),
    updated_at  INTEGER NOT NULL
);

-- Channels per kind, one row per (account, kind), so two changes to two
-- kinds never overwrite each other. `channels` is a comma list of 'zalo'
-- and 'sms' (possibly empty); the app's inbox is always on.
CREATE TABLE IF NOT EXISTS notification_channels (
    account_id TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    channels   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, kind)
);

-- The clients (web, kiosk, zalo) each account has logged in from, so a
-- login from one it never used is a security notice.
CREATE TABLE IF NOT EXISTS known_clients (
    account_id TEXT    NOT NULL,
    client     TEXT    NOT NULL,
    first_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, client)
);

-- When each Zalo user last wrote to the OA: the OA may answer with a free
-- customer-service message for 48 hours after (docs/zalo.md); later it
-- takes a ZNS template message.
CREATE TABLE IF NOT EXISTS zalo_interactions (
    zalo_user_id TEXT    PRIMARY KEY,
    last_at      INTEGER NOT NULL
);

-- The events. Each trigger runs inside the statement that made the change.

CREATE TRIGGER IF NOT EXISTS notify_appointment_booked
AFTER INSERT ON appointments
BEGIN
    INSERT INTO notifications (account_id, kind, ref_id, subject, detail, at_time, created_at, due_at)
    SELECT NEW.citizen_id, 'appointment_booked', NEW.id, COALESCE(sv.name, NEW.service_code), NEW.ticket_code,
           s.starts_at, NEW.created_at, NEW.created_at
    FROM appointment_slots s LEFT JOIN services sv ON sv.code = NEW.service_code
    WHERE s.id = NEW.slot_id;
END;

CREATE TRIGGER IF NOT EXISTS notify_appointment_cancelled
AFTER UPDATE OF status ON appointments
WHEN OLD.status IN ('booked', 'arrived') AND NEW.status = 'cancelled'
BEGIN
    INSERT INTO notifications (account_id, kind, ref_id, subject, detail, at_time, created_at, due_at)
    SELECT NEW.citizen_id, 'appointment_cancelled', NEW.id, COALESCE(sv.name, NEW.service_code), NEW.ticket_code,
           s.starts_at, NEW.updated_at, NEW.updated_at
    FROM appointment_slots s LEFT JOIN services sv ON sv.code = NEW.service_code
    WHERE s.id = NEW.slot_id;
END;

CREATE TRIGGER IF NOT EXISTS notify_appointment_rescheduled
AFTER UPDATE OF slot_id ON appointments
WHEN OLD.slot_id <> NEW.slot_id
BEGIN
    INSERT INTO notifications (account_id, kind, ref_id, subject, detail, at_time, created_at, due_at)
    SELECT NEW.citizen_id, 'appointment_rescheduled', NEW.id, COALESCE(sv.name, NEW.service_code), NEW.ticket_code,
           s.starts_at, NEW.updated_at, NEW.updated_at
    FROM appointment_slots s LEFT JOIN services sv ON sv.code = NEW.service_code
    WHERE s.id = NEW.slot_id;
END;

CREATE TRIGGER IF NOT EXISTS notify_feedback_status
AFTER UPDATE OF status ON feedback
WHEN OLD.status IS NOT NEW.status AND NEW.owner_id IS NOT NULL
BEGIN
    INSERT INTO notifications (account_id, kind, ref_id, subject, detail, note, created_at, due_at)
    VALUES (NEW.owner_id, 'feedback_status', NEW.id, NEW.tracking_code, NEW.status, NEW.response,
            NEW.updated_at, NEW.updated_at);
    INSERT INTO notifications (account_id, kind, ref_id, subject, created_at, due_at)
    SELECT NEW.owner_id, 'feedback_rate', NEW.id, NEW.tracking_code, NEW.updated_at, NEW.updated_at
    WHERE NEW.status = 'resolved';
END;

CREATE TRIGGER IF NOT EXISTS notify_document_issued
AFTER INSERT ON documents
WHEN NEW.source = 'issued'
BEGIN
    INSERT INTO notifications (account_id, kind, ref_id, subject, detail, created_at, due_at)
    VALUES (NEW.citizen_id, 'document_issued', NEW.id, NEW.title, NEW.type,
            NEW.issued_at, NEW.issued_at);
END;

CREATE TRIGGER IF NOT EXISTS notify_document_revoked
AFTER UPDATE OF status ON documents
WHEN OLD.status = 'valid' AND NEW.status = 'revoked'
BEGIN
    INSERT INTO notifications (account_id, kind, ref_id, subject, detail, created_at, due_at)
    VALUES (NEW.citizen_id, 'document_revoked', NEW.id, NEW.title, NEW.type,
            NEW.revoked_at, NEW.revoked_at);
END;

-- `shares` keeps no time of use, so this one notice takes the database's
-- clock (`unixepoch()`, translated for PostgreSQL by infra/migrations).
CREATE TRIGGER IF NOT EXISTS notify_share_used
AFTER UPDATE OF uses ON shares
WHEN NEW.uses > OLD.uses
BEGIN
    INSERT INTO notifications (account_id, kind, ref_id, subject, detail, created_at, due_at)
    SELECT NEW.citizen_id, 'share_used', NEW.id, d.title, NEW.purpose, unixepoch(), unixepoch()
    FROM documents d WHERE d.id = NEW.document_id;
END;

-- A login from a client the account has logged in from before is not news;
-- the very first (the sign-up) is not either.
CREATE TRIGGER IF NOT EXISTS notify_new_client_login
AFTER INSERT ON sessions
BEGIN
    INSERT INTO notifications (account_id, kind, ref_id, detail, created_at, due_at)
    SELECT NEW.citizen_id, 'security_login', NEW.id, NEW.client, NEW.created_at, NEW.created_at
    WHERE EXISTS (SELECT 1 FROM known_clients k WHERE k.account_id = NEW.citizen_id)
      AND NOT EXISTS (SELECT 1 FROM known_clients k
                      WHERE k.account_id = NEW.citizen_id AND k.client = NEW.client);
    INSERT INTO known_clients (account_id, client, first_at)
    VALUES (NEW.citizen_id, NEW.client, NEW.created_at)
    ON CONFLICT (account_id, client) DO NOTHING;
END;
