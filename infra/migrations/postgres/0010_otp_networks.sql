-- 0010 (PostgreSQL): one-time-code limits per client network. The same
-- schema as ../0010_otp_networks.sql (comments there). Safe to run any number
-- of times.
CREATE INDEX IF NOT EXISTS otp_challenges_phone_net_created
    ON otp_challenges (phone, client_ip, created_at);

CREATE TABLE IF NOT EXISTS otp_network_failures (
    phone        TEXT    NOT NULL,
    network      TEXT    NOT NULL,
    failures     BIGINT  NOT NULL,
    locked_until BIGINT,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (phone, network)
);
