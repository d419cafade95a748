//! An appointment's status and the moves between them (docs/appointments.md, named after
//! FHIR `Appointment.status`).
//!
//! ```text
//! booked ──check-in──▶ arrived ──official──▶ fulfilled
//!   │ citizen, before the slot starts ──▶ cancelled   (seat returned)
//!   └ official, after the slot ends   ──▶ noshow
//! ```
//!
//! The stores enforce each move with a conditional `UPDATE … WHERE status =
//! <from>`; [`Status::can_become`] is the same table for explaining refusals
//! and for tests.

/// Where an appointment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Holds a seat; waiting for the day.
    Booked,
    /// Checked in at a kiosk or desk.
    Arrived,
    /// Served (final).
    Fulfilled,
    /// Cancelled by the citizen before the slot started (final).
    Cancelled,
    /// Did not come; marked once the slot ended (final).
    Noshow,
}

impl Status {
    /// The wire and storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Booked => "booked",
            Status::Arrived => "arrived",
            Status::Fulfilled => "fulfilled",
            Status::Cancelled => "cancelled",
            Status::Noshow => "noshow",
        }
    }

    /// The status spelt `s`, if it is one.
    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "booked" => Status::Booked,
            "arrived" => Status::Arrived,
            "fulfilled" => Status::Fulfilled,
            "cancelled" => Status::Cancelled,
            "noshow" => Status::Noshow,
            _ => return None,
        })
    }

    /// Holds a seat and counts towards one-booking-per-day.
    pub fn is_active(self) -> bool {
        matches!(self, Status::Booked | Status::Arrived)
    }

    /// Whether `self → next` is a move of the diagram above.
    pub fn can_become(self, next: Status) -> bool {
        matches!(
            (self, next),
            (
                Status::Booked,
                Status::Arrived | Status::Cancelled | Status::Noshow
            ) | (Status::Arrived, Status::Fulfilled)
        )
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Status::{self, *};

    const ALL: [Status; 5] = [Booked, Arrived, Fulfilled, Cancelled, Noshow];

    #[test]
    fn spelling_round_trips() {
        for s in ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("Booked"), None);
        assert_eq!(Status::parse("no-show"), None);
    }

    #[test]
    fn only_the_diagrams_moves_are_allowed() {
        let allowed: Vec<(Status, Status)> = ALL
            .iter()
            .flat_map(|a| ALL.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.can_become(*b))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Booked, Arrived),
                (Booked, Cancelled),
                (Booked, Noshow),
                (Arrived, Fulfilled)
            ]
        );
    }

    #[test]
    fn final_statuses_hold_no_seat() {
        let active: Vec<Status> = ALL.into_iter().filter(|s| s.is_active()).collect();
        assert_eq!(active, vec![Booked, Arrived]);
    }
}
