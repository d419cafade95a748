-- 0006 (PostgreSQL): appointment slots and bookings. The same schema as
-- ../0006_appointments.sql (comments there). The seat triggers run inside the
-- statement that fires them, in its transaction, as in SQLite: the booking
-- and its seat move together or not at all, and the CHECK on `remaining`
-- (23514) refuses a statement that would oversell. Safe to run any number
-- of times.

CREATE TABLE IF NOT EXISTS appointment_slots (
    id           TEXT    PRIMARY KEY,
    service_code TEXT    NOT NULL,
    starts_at    BIGINT  NOT NULL,
    ends_at      BIGINT  NOT NULL CHECK (ends_at > starts_at),
    local_date   TEXT    NOT NULL,
    capacity     BIGINT  NOT NULL CHECK (capacity > 0),
    remaining    BIGINT  NOT NULL CHECK (remaining >= 0 AND remaining <= capacity),
    created_by   TEXT,
    created_at   BIGINT  NOT NULL,
    UNIQUE (service_code, starts_at)
);

CREATE INDEX IF NOT EXISTS appointment_slots_starts ON appointment_slots (starts_at);

CREATE TABLE IF NOT EXISTS appointments (
    id              TEXT    PRIMARY KEY,
    citizen_id      TEXT    NOT NULL,
    service_code    TEXT    NOT NULL,
    slot_id         TEXT    NOT NULL,
    local_date      TEXT    NOT NULL,
    status          TEXT    NOT NULL
                            CHECK (status IN ('booked', 'arrived', 'fulfilled', 'cancelled', 'noshow')),
    ticket_code     TEXT    NOT NULL UNIQUE,
    idempotency_key TEXT,
    full_name       TEXT,
    phone           TEXT    NOT NULL,
    id_number       TEXT,
    note            TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    arrived_at      BIGINT,
    closed_at       BIGINT,
    UNIQUE (citizen_id, idempotency_key)
);

CREATE UNIQUE INDEX IF NOT EXISTS appointments_one_active_per_day
    ON appointments (citizen_id, service_code, local_date)
    WHERE status IN ('booked', 'arrived');

CREATE INDEX IF NOT EXISTS appointments_citizen ON appointments (citizen_id, created_at);
CREATE INDEX IF NOT EXISTS appointments_slot ON appointments (slot_id, status);
CREATE INDEX IF NOT EXISTS appointments_service_day ON appointments (service_code, local_date);

CREATE OR REPLACE FUNCTION appointments_take_seat() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE appointment_slots SET remaining = remaining - 1 WHERE id = NEW.slot_id;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER appointments_take_seat
AFTER INSERT ON appointments
FOR EACH ROW WHEN (NEW.status IN ('booked', 'arrived'))
EXECUTE FUNCTION appointments_take_seat();

CREATE OR REPLACE FUNCTION appointments_release_seat() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE appointment_slots SET remaining = remaining + 1 WHERE id = OLD.slot_id;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER appointments_release_seat
AFTER UPDATE OF status ON appointments
FOR EACH ROW WHEN (OLD.status IN ('booked', 'arrived') AND NEW.status = 'cancelled')
EXECUTE FUNCTION appointments_release_seat();

CREATE OR REPLACE FUNCTION appointments_move_seat() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE appointment_slots SET remaining = remaining - 1 WHERE id = NEW.slot_id;
    UPDATE appointment_slots SET remaining = remaining + 1 WHERE id = OLD.slot_id;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER appointments_move_seat
AFTER UPDATE OF slot_id ON appointments
FOR EACH ROW WHEN (OLD.slot_id <> NEW.slot_id AND OLD.status = NEW.status
                   AND NEW.status IN ('booked', 'arrived'))
EXECUTE FUNCTION appointments_move_seat();
