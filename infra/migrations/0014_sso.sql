-- 0014: the OpenID Connect provider (docs/sso.md; shared/src/sso). Plain
-- SQLite, translated for PostgreSQL like every migration; safe to run any
-- number of times (new tables only).
--
-- Every secret the provider hands out (client secrets, authorization codes,
-- refresh tokens) is stored as its SHA-256, never in the clear. Access and
-- ID tokens are ES256 JWTs; an access token's `jti` has a row so that it can
-- be revoked before it expires.

-- The city services that log citizens in through the platform (relying
-- parties), registered by the admin. `redirect_uris` and
-- `post_logout_redirect_uris` are JSON arrays compared exactly; `scopes` is
-- the space-separated set the client may ask for. A public client has no
-- secret and authenticates by PKCE alone; a confidential one has a secret
-- hash, a registered public JWK (private_key_jwt), or both.
CREATE TABLE IF NOT EXISTS sso_clients (
    id                        TEXT    PRIMARY KEY,
    name                      TEXT    NOT NULL,
    kind                      TEXT    NOT NULL CHECK (kind IN ('confidential', 'public')),
    secret_hash               TEXT,
    jwk                       TEXT,
    redirect_uris             TEXT    NOT NULL,
    post_logout_redirect_uris TEXT    NOT NULL,
    scopes                    TEXT    NOT NULL,
    purpose                   TEXT    NOT NULL,
    client_uri                TEXT,
    logo_uri                  TEXT,
    created_at                INTEGER NOT NULL,
    secret_rotated_at         INTEGER,
    disabled_at               INTEGER
);

-- One row per consented scope: granting more later only adds rows
-- (INSERT … ON CONFLICT DO NOTHING), so two consents given at once in two
-- tabs cannot overwrite each other. Revoking a connection deletes the
-- client's rows and revokes its grants.
CREATE TABLE IF NOT EXISTS sso_consents (
    account_id TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, client_id, scope)
);
CREATE INDEX IF NOT EXISTS sso_consents_by_client ON sso_consents (client_id);

-- A grant: what one authorization gave one client, and the family of every
-- token issued from it. Revoking the grant (code replay, refresh-token
-- reuse, the citizen disconnecting the service, logout) ends them all.
CREATE TABLE IF NOT EXISTS sso_grants (
    id         TEXT    PRIMARY KEY,
    client_id  TEXT    NOT NULL,
    account_id TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    auth_time  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS sso_grants_by_account ON sso_grants (account_id, client_id);
-- The purge of grants revoked long ago.
CREATE INDEX IF NOT EXISTS sso_grants_by_revocation ON sso_grants (revoked_at);

-- Authorization codes: single use (used_at is set by the one statement that
-- redeems it), 60 seconds, bound to the client, the redirect URI and the
-- PKCE challenge.
CREATE TABLE IF NOT EXISTS sso_codes (
    code_hash      TEXT    PRIMARY KEY,
    grant_id       TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    redirect_uri   TEXT    NOT NULL,
    code_challenge TEXT    NOT NULL,
    nonce          TEXT,
    session_id     TEXT    NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER
);
CREATE INDEX IF NOT EXISTS sso_codes_by_expiry ON sso_codes (expires_at);

-- Refresh tokens, rotated at every use: a used token presented again is a
-- reuse, and the statement that finds it used revokes the grant.
CREATE TABLE IF NOT EXISTS sso_refresh_tokens (
    token_hash TEXT    PRIMARY KEY,
    grant_id   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX IF NOT EXISTS sso_refresh_by_grant ON sso_refresh_tokens (grant_id);
CREATE INDEX IF NOT EXISTS sso_refresh_by_expiry ON sso_refresh_tokens (expires_at);

-- Access tokens issued (by their JWT id), so one can be revoked alone
-- (RFC 7009) and every use checks its grant is still live.
CREATE TABLE IF NOT EXISTS sso_access_tokens (
    jti        TEXT    PRIMARY KEY,
    grant_id   TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS sso_access_by_grant ON sso_access_tokens (grant_id);
CREATE INDEX IF NOT EXISTS sso_access_by_expiry ON sso_access_tokens (expires_at);

-- The `jti` of every private_key_jwt client assertion accepted, until it
-- expires: the insert that records it is the replay check.
CREATE TABLE IF NOT EXISTS sso_assertions (
    client_id  TEXT    NOT NULL,
    jti        TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX IF NOT EXISTS sso_assertions_by_expiry ON sso_assertions (expires_at);
