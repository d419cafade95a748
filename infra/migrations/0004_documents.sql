-- 0004: documents — personal QR codes, the document vault and share links
-- (docs/documents.md). Plain SQLite; safe to run any number of times. The profile
-- itself lives in the `citizens` columns of 0002.
--
-- All times are Unix seconds (UTC). Counters and "only once" rules are single
-- statements in shared/src/documents (see there), not transactions.

-- One personal QR per citizen. `qid` is stable for life; `version` goes up on
-- every rotation and is signed into the code, so older codes stop verifying.
CREATE TABLE IF NOT EXISTS personal_qr (
    citizen_id TEXT    PRIMARY KEY,
    qid        TEXT    NOT NULL UNIQUE,
    version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at INTEGER NOT NULL,
    rotated_at INTEGER
);

-- The vault. Content is a BLOB in the same row as its metadata (why: see
-- shared/src/documents/mod.rs) and is the last column, so listing metadata
-- does not read it. `sha256` is lower-case hex of `content`.
-- Issued documents carry issuer_id (issuers.id) and the issuer's
-- external_id; the unique index makes an issuer's retries idempotent.
-- Uploads have both NULL, and SQLite treats NULLs as distinct.
CREATE TABLE IF NOT EXISTS documents (
    id           TEXT    PRIMARY KEY,
    citizen_id   TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    source       TEXT    NOT NULL CHECK (source IN ('issued', 'uploaded')),
    issuer_id    INTEGER,
    external_id  TEXT,
    issued_at    INTEGER NOT NULL,
    valid_until  INTEGER,
    content_type TEXT    NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size         INTEGER NOT NULL CHECK (size > 0 AND size <= 5242880),
    sha256       TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
    revoked_at   INTEGER,
    created_at   INTEGER NOT NULL,
    content      BLOB    NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS documents_issuer_external ON documents (issuer_id, external_id);
CREATE INDEX IF NOT EXISTS documents_citizen_created ON documents (citizen_id, created_at, id);
CREATE INDEX IF NOT EXISTS documents_citizen_type_created ON documents (citizen_id, type, created_at, id);

-- Share links. `token` is the capability in the URL; it is kept in clear
-- because the owner lists and revokes by it, and the bytes it unlocks sit in
-- this same database anyway. `uses` only grows, by one atomic UPDATE that
-- also checks max_uses, expiry and revocation.
CREATE TABLE IF NOT EXISTS shares (
    id          TEXT    PRIMARY KEY,
    token       TEXT    NOT NULL UNIQUE,
    document_id TEXT    NOT NULL,
    citizen_id  TEXT    NOT NULL,
    purpose     TEXT    NOT NULL,
    max_uses    INTEGER CHECK (max_uses IS NULL OR max_uses >= 1),
    uses        INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE INDEX IF NOT EXISTS shares_citizen_created ON shares (citizen_id, created_at, id);
CREATE INDEX IF NOT EXISTS shares_document ON shares (document_id);
