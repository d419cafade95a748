-- 0002 (PostgreSQL): identity — citizen accounts, one-time-code challenges,
-- per-phone failure counters and sessions. The same schema as
-- ../0002_identity.sql (comments there); BIGINT for every integer (Spin's
-- host binds integers as INT8), BYTEA for blobs. Safe to run any number of
-- times.

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
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE IF NOT EXISTS otp_challenges (
    id         TEXT    PRIMARY KEY,
    phone      TEXT    NOT NULL,
    channel    TEXT    NOT NULL CHECK (channel IN ('sms', 'zalo')),
    purpose    TEXT    NOT NULL CHECK (purpose IN ('signup', 'login', 'zalo_link')),
    client     TEXT    NOT NULL CHECK (client IN ('web', 'kiosk', 'zalo')),
    full_name  TEXT,
    client_ip  TEXT,
    code_mac   BYTEA   NOT NULL,
    attempts   BIGINT  NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT
);

CREATE INDEX IF NOT EXISTS otp_challenges_phone_created ON otp_challenges (phone, created_at);
CREATE INDEX IF NOT EXISTS otp_challenges_ip_created ON otp_challenges (client_ip, created_at);
CREATE INDEX IF NOT EXISTS otp_challenges_created ON otp_challenges (created_at);

CREATE TABLE IF NOT EXISTS otp_phone_failures (
    phone        TEXT    PRIMARY KEY,
    failures     BIGINT  NOT NULL,
    locked_until BIGINT,
    updated_at   BIGINT  NOT NULL
);

CREATE TABLE IF NOT EXISTS sessions (
    id                  TEXT    PRIMARY KEY,
    token_hash          BYTEA   NOT NULL UNIQUE,
    citizen_id          TEXT    NOT NULL,
    client              TEXT    NOT NULL CHECK (client IN ('web', 'kiosk', 'zalo')),
    idle_seconds        BIGINT  NOT NULL,
    created_at          BIGINT  NOT NULL,
    last_seen_at        BIGINT  NOT NULL,
    idle_expires_at     BIGINT  NOT NULL,
    absolute_expires_at BIGINT  NOT NULL,
    revoked_at          BIGINT
);

CREATE INDEX IF NOT EXISTS sessions_citizen ON sessions (citizen_id, idle_expires_at);
CREATE INDEX IF NOT EXISTS sessions_idle_expires ON sessions (idle_expires_at);
