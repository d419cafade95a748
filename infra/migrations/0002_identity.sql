-- 0002: identity — citizen accounts, one-time-code challenges, per-phone
-- failure counters and sessions (docs/architecture.md and docs/identity.md). Plain SQLite; safe to run
-- any number of times.
--
-- All times are Unix seconds (UTC). Every limit of §5 is enforced by single
-- SQL statements in shared/src/identity, so these tables need no locks,
-- triggers or transactions to stay correct across processes and edge nodes.

-- One row per person. `phone` is E.164 (`+84905123456`). The profile columns
-- (date_of_birth, gender, id_number, address) are filled by the profile API.
CREATE TABLE IF NOT EXISTS citizens (
    id            TEXT    PRIMARY KEY,
    phone         TEXT    NOT NULL UNIQUE,
    full_name     TEXT,
    level         TEXT    NOT NULL DEFAULT 'provisional'
                          CHECK (level IN ('provisional', 'verified')),
    role          TEXT    NOT NULL DEFAULT 'citizen'
                          CHECK (role IN ('citizen', 'official')),
    unit_code     TEXT,
    zalo_user_id  TEXT    UNIQUE,
    date_of_birth TEXT,
    gender        TEXT,
    id_number     TEXT    UNIQUE,
    address       TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- One row per code sent. The row is also the quota ledger: cooldown, the
-- per-phone hourly/daily caps and the per-IP hourly cap count these rows, and
-- a challenge whose delivery failed is deleted so it is not charged.
-- `code_mac` = HMAC-SHA256(otp_pepper, challenge id + code); the code itself
-- is never stored.
CREATE TABLE IF NOT EXISTS otp_challenges (
    id         TEXT    PRIMARY KEY,
    phone      TEXT    NOT NULL,
    channel    TEXT    NOT NULL CHECK (channel IN ('sms', 'zalo')),
    purpose    TEXT    NOT NULL CHECK (purpose IN ('signup', 'login', 'zalo_link')),
    client     TEXT    NOT NULL CHECK (client IN ('web', 'kiosk', 'zalo')),
    full_name  TEXT,
    client_ip  TEXT,
    code_mac   BLOB    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE INDEX IF NOT EXISTS otp_challenges_phone_created ON otp_challenges (phone, created_at);
CREATE INDEX IF NOT EXISTS otp_challenges_ip_created ON otp_challenges (client_ip, created_at);
CREATE INDEX IF NOT EXISTS otp_challenges_created ON otp_challenges (created_at);

-- Consecutive wrong codes per phone across all its challenges. Reaching
-- otp_lockout_failures sets locked_until; a correct code deletes the row; the
-- first failure after the lock ran out starts counting again from 1.
CREATE TABLE IF NOT EXISTS otp_phone_failures (
    phone        TEXT    PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until INTEGER,
    updated_at   INTEGER NOT NULL
);

-- Server-side sessions. Only SHA-256(token) is stored. idle_expires_at never
-- exceeds absolute_expires_at, and revoking a session also pulls
-- idle_expires_at down to the revocation time, so that column alone says when
-- a session stopped being usable (the purge relies on it).
CREATE TABLE IF NOT EXISTS sessions (
    id                  TEXT    PRIMARY KEY,
    token_hash          BLOB    NOT NULL UNIQUE,
    citizen_id          TEXT    NOT NULL,
    client              TEXT    NOT NULL CHECK (client IN ('web', 'kiosk', 'zalo')),
    idle_seconds        INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    last_seen_at        INTEGER NOT NULL,
    idle_expires_at     INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    revoked_at          INTEGER
);

CREATE INDEX IF NOT EXISTS sessions_citizen ON sessions (citizen_id, idle_expires_at);
CREATE INDEX IF NOT EXISTS sessions_idle_expires ON sessions (idle_expires_at);
