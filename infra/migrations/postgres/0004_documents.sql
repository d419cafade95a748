-- 0004 (PostgreSQL): documents — personal QR codes, the document vault and
-- share links. The same schema as ../0004_documents.sql (comments there).
-- PostgreSQL, like SQLite, treats NULLs as distinct in the unique index, so
-- uploads (issuer_id and external_id NULL) never collide. Safe to run any
-- number of times.

CREATE TABLE IF NOT EXISTS personal_qr (
    citizen_id TEXT    PRIMARY KEY,
    qid        TEXT    NOT NULL UNIQUE,
    version    BIGINT  NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at BIGINT  NOT NULL,
    rotated_at BIGINT
);

CREATE TABLE IF NOT EXISTS documents (
    id           TEXT    PRIMARY KEY,
    citizen_id   TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    source       TEXT    NOT NULL CHECK (source IN ('issued', 'uploaded')),
    issuer_id    BIGINT,
    external_id  TEXT,
    issued_at    BIGINT  NOT NULL,
    valid_until  BIGINT,
    content_type TEXT    NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size         BIGINT  NOT NULL CHECK (size > 0 AND size <= 5242880),
    sha256       TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
    revoked_at   BIGINT,
    created_at   BIGINT  NOT NULL,
    content      BYTEA   NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS documents_issuer_external ON documents (issuer_id, external_id);
CREATE INDEX IF NOT EXISTS documents_citizen_created ON documents (citizen_id, created_at, id);
CREATE INDEX IF NOT EXISTS documents_citizen_type_created ON documents (citizen_id, type, created_at, id);

CREATE TABLE IF NOT EXISTS shares (
    id          TEXT    PRIMARY KEY,
    token       TEXT    NOT NULL UNIQUE,
    document_id TEXT    NOT NULL,
    citizen_id  TEXT    NOT NULL,
    purpose     TEXT    NOT NULL,
    max_uses    BIGINT  CHECK (max_uses IS NULL OR max_uses >= 1),
    uses        BIGINT  NOT NULL DEFAULT 0,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    revoked_at  BIGINT
);

CREATE INDEX IF NOT EXISTS shares_citizen_created ON shares (citizen_id, created_at, id);
CREATE INDEX IF NOT EXISTS shares_document ON shares (document_id);
