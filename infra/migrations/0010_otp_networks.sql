-- 0010: one-time-code limits per client network (docs/identity.md, "Code
-- requests and limits"). Safe to run any number of times.
--
-- otp_challenges.client_ip now holds the network key a challenge counts
-- under: an IPv4 address, an IPv6 /64 (`2001:db8:1:2::/64`), `kiosk:<id>`
-- for a registered kiosk or `zalo:<user id>` for the chat-bot. The per-phone
-- quotas count rows per (phone, network), so this index serves them.
CREATE INDEX IF NOT EXISTS otp_challenges_phone_net_created
    ON otp_challenges (phone, client_ip, created_at);

-- Consecutive wrong codes per (phone, network), replacing the per-phone
-- counter of otp_phone_failures (0002, no longer read or written): a lock
-- set by an attacker's wrong guesses must not lock the phone's owner out of
-- a code requested from elsewhere. Reaching otp_lockout_failures sets
-- locked_until; a correct code on a challenge from that network deletes the
-- row; the first failure after the lock ran out counts from 1 again.
CREATE TABLE IF NOT EXISTS otp_network_failures (
    phone        TEXT    NOT NULL,
    network      TEXT    NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until INTEGER,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (phone, network)
);
