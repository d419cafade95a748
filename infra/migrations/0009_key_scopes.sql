-- 0009: what each API key may do (its scopes), kiosk keys' units, and when a
-- key was last used. Safe to run any number of times: real Spin re-runs
-- every file at each start, so there are only new tables (no ALTER) and
-- every insert skips what is already there. See docs/admin.md.
--
-- Keys themselves stay in `issuers` (0003): one table of keys means one
-- namespace of codes, one list and one revoke for issuer, partner and kiosk
-- keys alike. Kiosk keys start `ksk_`, the others `iss_`.

-- A key may do exactly what it has a row for: `documents` (push and revoke
-- documents), `open311` (post Open311 requests), `kiosk` (a registered
-- kiosk). A key without rows may do nothing.
CREATE TABLE IF NOT EXISTS api_key_scopes (
    issuer_id INTEGER NOT NULL,
    scope     TEXT    NOT NULL CHECK (scope IN ('documents', 'open311', 'kiosk')),
    PRIMARY KEY (issuer_id, scope)
);

-- The unit a kiosk key stands in (optional; at most one per key).
CREATE TABLE IF NOT EXISTS api_key_units (
    issuer_id INTEGER PRIMARY KEY,
    unit_code TEXT    NOT NULL
);

-- When a key was last presented, to the minute: updated at most once a
-- minute per key (the check is inside the statement), so busy keys do not
-- cost a write per request.
CREATE TABLE IF NOT EXISTS api_key_usage (
    issuer_id    INTEGER PRIMARY KEY,
    last_used_at INTEGER NOT NULL
);

-- (`WHERE TRUE` below: SQLite needs a WHERE before ON CONFLICT in an
-- INSERT … SELECT, or it reads ON as the start of a join.)

-- Which keys existed before scopes did. Recorded once, on the first run
-- (later runs find the row and change nothing), so the backfill below only
-- ever touches keys made before this migration: a key made afterwards
-- without scope rows (a half-failed create) stays without scopes, refused
-- everywhere, instead of being widened at the next start.
CREATE TABLE IF NOT EXISTS api_key_legacy (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    max_key_id  INTEGER NOT NULL
);

INSERT INTO api_key_legacy (id, max_key_id)
SELECT 1, COALESCE(MAX(id), 0) FROM issuers WHERE TRUE
ON CONFLICT (id) DO NOTHING;

-- Backfill of keys made before scopes: issuer keys and Open311 partner keys
-- were the same kind of key, so their history decides. A key that issued
-- documents gets `documents`; one that posted Open311 requests gets
-- `open311`; one with neither history (or both) gets both, so no existing
-- integration breaks — the key list shows them for the admin to narrow by
-- issuing a new key and revoking the old one. Only keys with no scope rows
-- at all are filled, in one statement (it sees the table as it was when it
-- started, on SQLite and PostgreSQL alike), so a re-run adds nothing.
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
