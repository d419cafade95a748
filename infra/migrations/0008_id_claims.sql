-- 0008: declared CCCD numbers are claims, not identities (issue 12, item 1;
-- docs/identity.md "Identity levels"). Plain SQLite; safe to run any number
-- of times (real Spin re-runs every file at each start).
--
-- From here on `citizens.id_number` holds only numbers an official has
-- confirmed (level `verified`); its UNIQUE constraint is therefore
-- uniqueness among verified citizens. What a citizen types into
-- `PATCH /api/v1/me` lands in `id_number_claims`: one claim per citizen, and
-- any number of citizens may claim the same number. A claim routes nothing:
-- issuer pushes by id number reach confirmed numbers only.
-- Verification moves the citizen's claim into `citizens.id_number` in one
-- statement, then deletes every claim of that number.
CREATE TABLE IF NOT EXISTS id_number_claims (
    citizen_id TEXT    PRIMARY KEY,
    id_number  TEXT    NOT NULL,
    claimed_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS id_number_claims_number ON id_number_claims (id_number);

-- Numbers that provisional citizens declared before this migration were
-- never confirmed: move them into claims. On a re-run no provisional citizen
-- has a number any more, so both statements do nothing. The claim is written
-- first, so a run interrupted between the two loses nothing.
INSERT INTO id_number_claims (citizen_id, id_number, claimed_at)
    SELECT id, id_number, updated_at FROM citizens
    WHERE level <> 'verified' AND id_number IS NOT NULL
    ON CONFLICT (citizen_id) DO NOTHING;

UPDATE citizens SET id_number = NULL WHERE level <> 'verified' AND id_number IS NOT NULL;
