-- 0005: feedback and complaints (góp ý, phản ánh), their status history and
-- satisfaction ratings (docs/feedback.md). Plain SQLite; safe to run any number of
-- times. Categories live in `feedback_categories` (0003).
--
-- All times are Unix seconds (UTC). Every rule that must hold under
-- concurrent requests is one SQL statement in shared/src/feedback:
-- * submit: one INSERT … SELECT that checks the category, counts the
--   sender's quota over these same rows and numbers the tracking code
--   (MAX(seq) + 1 of the year) under the write lock; UNIQUE (year, seq) and
--   UNIQUE tracking_code make a duplicate impossible even on an engine that
--   would not serialise it;
-- * status change: UPDATE … WHERE status = <the status the official saw>;
-- * rating: INSERT … SELECT … WHERE owner and closed, with the feedback id
--   as primary key so a second rating can never land.

CREATE TABLE IF NOT EXISTS feedback (
    id            TEXT    PRIMARY KEY,
    -- PA-<year>-<6 digits>, the number a citizen reads out on the phone.
    tracking_code TEXT    NOT NULL UNIQUE,
    year          INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    category_code TEXT    NOT NULL,
    -- The handling unit at submission time (the category's unit then).
    unit_code     TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    lat           REAL    NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng           REAL    NOT NULL CHECK (lng BETWEEN -180 AND 180),
    address       TEXT,
    media_url     TEXT,
    -- The citizen who sent it; NULL for anonymous and Open311 submissions.
    owner_id      TEXT,
    -- The owner asked officials not to see who they are.
    anonymous     INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    source        TEXT    NOT NULL CHECK (source IN ('citizen', 'anonymous', 'open311')),
    -- Open311 partner (issuer code) that posted it.
    partner_code  TEXT,
    -- Whose submission quota this row counts against: `citizen:<id>`,
    -- `ip:<address>` or `partner:<code>`.
    quota_key     TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'received'
                          CHECK (status IN ('received', 'in_progress', 'resolved', 'rejected')),
    -- The note of the latest status change (public: the city's answer).
    response      TEXT,
    published     INTEGER NOT NULL DEFAULT 1 CHECK (published IN (0, 1)),
    -- Audit actor of the latest status change, copied into the history.
    changed_by    TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (year, seq)
);

CREATE INDEX IF NOT EXISTS feedback_public ON feedback (published, created_at, id);
CREATE INDEX IF NOT EXISTS feedback_category ON feedback (category_code, status, created_at);
CREATE INDEX IF NOT EXISTS feedback_owner ON feedback (owner_id, created_at);
CREATE INDEX IF NOT EXISTS feedback_unit ON feedback (unit_code, status, created_at);
CREATE INDEX IF NOT EXISTS feedback_quota ON feedback (quota_key, created_at);

-- One row per status change (the "received" start is the feedback row
-- itself). Written by the trigger below inside the UPDATE that changes the
-- status, so a change can never be missing from the history.
CREATE TABLE IF NOT EXISTS feedback_history (
    id          INTEGER PRIMARY KEY,
    feedback_id TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT,
    unit_code   TEXT    NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    note        TEXT
);

CREATE INDEX IF NOT EXISTS feedback_history_item ON feedback_history (feedback_id, id);

CREATE TRIGGER IF NOT EXISTS feedback_status_history
AFTER UPDATE OF status ON feedback
WHEN OLD.status IS NOT NEW.status
BEGIN
    INSERT INTO feedback_history (feedback_id, at, actor, unit_code, from_status, to_status, note)
    VALUES (NEW.id, NEW.updated_at, NEW.changed_by, NEW.unit_code, OLD.status, NEW.status, NEW.response);
END;

-- Satisfaction ratings (đánh giá hài lòng): one per feedback, by its owner.
CREATE TABLE IF NOT EXISTS feedback_ratings (
    feedback_id TEXT    PRIMARY KEY,
    owner_id    TEXT    NOT NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment     TEXT,
    created_at  INTEGER NOT NULL
);
