-- 0003: hash-chained audit log, administration lists, issuer API keys and
-- the development outbox. Plain SQLite; safe to run any number of times.
--
-- Foreign keys are not declared as REFERENCES because SQLite only enforces
-- them with `PRAGMA foreign_keys=ON` per connection, which Spin does not
-- promise; domain code checks the unit inside the INSERT statement instead.

-- Append-only, SHA-256 hash-chained log of security-relevant events (§4).
-- hash = sha256(canonical encoding of prev_hash, seq, at, actor, action,
-- subject, detail) — the encoding is documented in shared/src/audit/chain.rs.
-- prev_hash is UNIQUE so that two entries can never extend the same tail.
CREATE TABLE IF NOT EXISTS audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT,
    detail    TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL UNIQUE,
    hash      TEXT    NOT NULL
);

CREATE INDEX IF NOT EXISTS audit_log_subject_seq ON audit_log (subject, seq);

-- The application only ever inserts; these make an accidental UPDATE/DELETE
-- fail loudly. (Someone with raw file access can drop them — that is what the
-- hash chain and `verify` are for.)
CREATE TRIGGER IF NOT EXISTS audit_log_no_update
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER IF NOT EXISTS audit_log_no_delete
BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Administrative units (departments, wards, hospitals) that officials,
-- services and feedback categories belong to (§13).
CREATE TABLE IF NOT EXISTS units (
    code       TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- Issuer agencies and Open311 partner apps. Only the SHA-256 of the API key
-- is stored; key_prefix is the non-secret start of the key, for display.
CREATE TABLE IF NOT EXISTS issuers (
    id         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    key_hash   TEXT    NOT NULL UNIQUE,
    key_prefix TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Hospitals and public-service counters citizens book appointments at.
CREATE TABLE IF NOT EXISTS services (
    code       TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('health', 'public_service')),
    unit_code  TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS services_unit ON services (unit_code);

-- Feedback / complaint categories, each routed to the unit that handles it.
CREATE TABLE IF NOT EXISTS feedback_categories (
    code       TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    unit_code  TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS feedback_categories_unit ON feedback_categories (unit_code);

-- Development only (§14): one-time codes land here instead of a gateway when
-- dev_mode=true, so a developer or black-box test can read them.
CREATE TABLE IF NOT EXISTS dev_outbox (
    id      INTEGER PRIMARY KEY,
    phone   TEXT    NOT NULL,
    channel TEXT    NOT NULL CHECK (channel IN ('sms', 'zalo')),
    text    TEXT    NOT NULL,
    code    TEXT    NOT NULL,
    sent_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS dev_outbox_phone ON dev_outbox (phone, id);
