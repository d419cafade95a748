-- 0006: appointment slots and bookings (docs/appointments.md). Plain SQLite; safe to run
-- any number of times. Services themselves are in 0003 (`services`).
--
-- Times are Unix seconds (UTC); `local_date` is the Asia/Ho_Chi_Minh
-- (+07:00) calendar date `YYYY-MM-DD` of the slot's start, computed by
-- shared/src/appointments/local_date.rs, so "one booking per day" means the
-- citizen's day, not the UTC one.

-- One row per bookable time at one service. `remaining` is the number of
-- free seats; the CHECK makes overbooking impossible even for a buggy
-- statement: one that would take the last seat twice fails as a whole.
-- (service_code, starts_at) is UNIQUE so a schedule created twice inserts
-- nothing the second time (INSERT … ON CONFLICT DO NOTHING).
CREATE TABLE IF NOT EXISTS appointment_slots (
    id           TEXT    PRIMARY KEY,
    service_code TEXT    NOT NULL,
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL CHECK (ends_at > starts_at),
    local_date   TEXT    NOT NULL,
    capacity     INTEGER NOT NULL CHECK (capacity > 0),
    remaining    INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= capacity),
    created_by   TEXT,
    created_at   INTEGER NOT NULL,
    UNIQUE (service_code, starts_at)
);

CREATE INDEX IF NOT EXISTS appointment_slots_starts ON appointment_slots (starts_at);

-- One row per booking. full_name/phone/id_number are copied from the
-- citizen's profile when booking (docs/documents.md), so the desk sees what the
-- citizen booked with even if the profile changes later. service_code and
-- local_date repeat the slot's, kept in step by the statements that move a
-- booking, because the one-per-day index below needs them on this row.
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
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    arrived_at      INTEGER,
    closed_at       INTEGER,
    -- A retried request with the same Idempotency-Key cannot insert twice,
    -- however many copies race (NULL keys never collide).
    UNIQUE (citizen_id, idempotency_key)
);

-- At most one active (booked or arrived) booking per citizen, service and
-- local day, enforced by the database rather than by a read before the write.
CREATE UNIQUE INDEX IF NOT EXISTS appointments_one_active_per_day
    ON appointments (citizen_id, service_code, local_date)
    WHERE status IN ('booked', 'arrived');

CREATE INDEX IF NOT EXISTS appointments_citizen ON appointments (citizen_id, created_at);
CREATE INDEX IF NOT EXISTS appointments_slot ON appointments (slot_id, status);
CREATE INDEX IF NOT EXISTS appointments_service_day ON appointments (service_code, local_date);

-- Seat accounting. A trigger runs inside the statement that fired it, in that
-- statement's implicit transaction, while SQLite holds the database's write
-- lock (shared by every connection and every process on the file). So the
-- one INSERT that books, the one UPDATE that cancels and the one UPDATE that
-- moves a booking also move the seat: both happen or, if anything fails
-- (e.g. the CHECK on `remaining`), neither does. No compensation is needed
-- and a crash cannot leave a seat taken without a booking or vice versa.

-- Booking takes a seat (the INSERT itself only selects slots with one left).
CREATE TRIGGER IF NOT EXISTS appointments_take_seat
AFTER INSERT ON appointments
WHEN NEW.status IN ('booked', 'arrived')
BEGIN
    UPDATE appointment_slots SET remaining = remaining - 1 WHERE id = NEW.slot_id;
END;

-- Cancelling returns it, exactly once: only the UPDATE that actually changes
-- an active status to 'cancelled' fires this.
CREATE TRIGGER IF NOT EXISTS appointments_release_seat
AFTER UPDATE OF status ON appointments
WHEN OLD.status IN ('booked', 'arrived') AND NEW.status = 'cancelled'
BEGIN
    UPDATE appointment_slots SET remaining = remaining + 1 WHERE id = OLD.slot_id;
END;

-- Rescheduling takes the new seat and frees the old one in the same step.
CREATE TRIGGER IF NOT EXISTS appointments_move_seat
AFTER UPDATE OF slot_id ON appointments
WHEN OLD.slot_id <> NEW.slot_id AND OLD.status = NEW.status AND NEW.status IN ('booked', 'arrived')
BEGIN
    UPDATE appointment_slots SET remaining = remaining - 1 WHERE id = NEW.slot_id;
    UPDATE appointment_slots SET remaining = remaining + 1 WHERE id = OLD.slot_id;
END;
