-- 0013: checkpoints of the audit hash chain, so that verifying a chain of
-- tens of millions of entries runs incrementally (docs/consistency.md,
-- "Checkpoints of the audit chain"; shared/src/audit/checkpoint.rs). Plain
-- SQLite; safe to run any number of times.
--
-- A row says: a walk from genesis (directly, or from an earlier checkpoint
-- it trusted) found audit_log rows 1..seq intact, and row seq's hash was
-- `hash`. `mac` is HMAC-SHA256 (lowercase hex) over seq and hash under a key
-- derived from the `token_secret` setting, so someone who can write to the
-- database but does not hold the secret cannot forge one; a verifier only
-- starts from a checkpoint whose MAC checks and whose audit_log row still
-- hashes to `hash`.
--
-- The key is (seq, mac), not seq alone: concurrent verifiers on several
-- nodes write the same checkpoint (same seq, same mac) and all but one skip
-- it (INSERT … ON CONFLICT DO NOTHING), while a forged row planted at a seq
-- cannot stop the genuine checkpoint at that seq from being written beside
-- it.
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    seq        INTEGER NOT NULL,
    hash       TEXT    NOT NULL,
    mac        TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (seq, mac)
);

-- Checkpoints are only ever inserted, like the log they vouch for.
CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update
BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;

CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete
BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
