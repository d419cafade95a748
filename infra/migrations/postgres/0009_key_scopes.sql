-- 0009 (PostgreSQL): API key scopes, kiosk keys' units and last use. The
-- same schema and backfill as ../0009_key_scopes.sql (comments there; its
-- statements are already in the common subset). Safe to run any number of
-- times.

CREATE TABLE IF NOT EXISTS api_key_scopes (
    issuer_id BIGINT  NOT NULL,
    scope     TEXT    NOT NULL CHECK (scope IN ('documents', 'open311', 'kiosk')),
    PRIMARY KEY (issuer_id, scope)
);

CREATE TABLE IF NOT EXISTS api_key_units (
    issuer_id BIGINT  PRIMARY KEY,
    unit_code TEXT    NOT NULL
);

CREATE TABLE IF NOT EXISTS api_key_usage (
    issuer_id    BIGINT  PRIMARY KEY,
    last_used_at BIGINT  NOT NULL
);

CREATE TABLE IF NOT EXISTS api_key_legacy (
    id          BIGINT  PRIMARY KEY CHECK (id = 1),
    max_key_id  BIGINT  NOT NULL
);

INSERT INTO api_key_legacy (id, max_key_id)
SELECT 1, COALESCE(MAX(id), 0) FROM issuers WHERE TRUE
ON CONFLICT (id) DO NOTHING;

INSERT INTO api_key_scopes (issuer_id, scope)
SELECT i.id, 'documents' FROM issuers i, api_key_legacy l
WHERE l.id = 1 AND i.id <= l.max_key_id
  AND NOT EXISTS (SELECT 1 FROM api_key_scopes s WHERE s.issuer_id = i.id)
  AND (EXISTS (SELECT 1 FROM documents d WHERE d.issuer_id = i.id)
       OR NOT EXISTS (SELECT 1 FROM feedback f WHERE f.partner_code = i.code))
UNION ALL
SELECT i.id, 'open311' FROM issuers i, api_key_legacy l
WHERE l.id = 1 AND i.id <= l.max_key_id
  AND NOT EXISTS (SELECT 1 FROM api_key_scopes s WHERE s.issuer_id = i.id)
  AND (EXISTS (SELECT 1 FROM feedback f WHERE f.partner_code = i.code)
       OR NOT EXISTS (SELECT 1 FROM documents d WHERE d.issuer_id = i.id))
ON CONFLICT (issuer_id, scope) DO NOTHING;
