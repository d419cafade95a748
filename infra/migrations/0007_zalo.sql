-- 0007: Zalo OA chat-bot (docs/zalo.md). Plain SQLite; safe to run any number of
-- times.
--
-- Webhook deliveries already handled, for at-most-once handling of Zalo's
-- redeliveries. `event_key` is `msg:<msg_id>`, or `body:<sha256 of the body>`
-- for events without a message id (follow, unfollow). One
-- INSERT … ON CONFLICT DO NOTHING RETURNING decides which of any number of
-- parallel deliveries of one event is handled; rows older than a day are
-- purged (the webhook refuses events more than 5 minutes old anyway).
--
-- Conversations (which step each Zalo user is at) live in the key-value store;
-- the link between a Zalo user and a citizen is `citizens.zalo_user_id` (0002).
CREATE TABLE IF NOT EXISTS zalo_processed_events (
    event_key   TEXT    PRIMARY KEY,
    received_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS zalo_processed_events_received ON zalo_processed_events (received_at);
