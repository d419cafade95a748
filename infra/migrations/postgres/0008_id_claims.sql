-- 0008 (PostgreSQL): declared CCCD numbers are claims, not identities. The
-- same schema and data move as ../0008_id_claims.sql (comments there). Safe
-- to run any number of times.
CREATE TABLE IF NOT EXISTS id_number_claims (
    citizen_id TEXT    PRIMARY KEY,
    id_number  TEXT    NOT NULL,
    claimed_at BIGINT  NOT NULL
);

CREATE INDEX IF NOT EXISTS id_number_claims_number ON id_number_claims (id_number);

INSERT INTO id_number_claims (citizen_id, id_number, claimed_at)
    SELECT id, id_number, updated_at FROM citizens
    WHERE level <> 'verified' AND id_number IS NOT NULL
    ON CONFLICT (citizen_id) DO NOTHING;

UPDATE citizens SET id_number = NULL WHERE level <> 'verified' AND id_number IS NOT NULL;
