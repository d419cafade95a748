//! What a notice is about, and what each kind may and must do
//! (docs/notifications.md, "Kinds").

use serde::Serialize;

/// One kind of notice. The wire and storage spelling is [`Kind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Kind {
    /// A booking was made.
    AppointmentBooked,
    /// A booking moved to another slot.
    AppointmentRescheduled,
    /// A booking was cancelled (by the citizen or the desk).
    AppointmentCancelled,
    /// The day before the booked slot.
    AppointmentReminder,
    /// The check-in window of a booking opened.
    CheckinOpen,
    /// A feedback item changed status.
    FeedbackStatus,
    /// A feedback item was resolved: please rate how it was handled.
    FeedbackRate,
    /// An agency issued a document into the vault.
    DocumentIssued,
    /// An agency revoked a document.
    DocumentRevoked,
    /// Someone opened one of the citizen's share links.
    ShareUsed,
    /// A login from a client the account never used before.
    SecurityLogin,
    /// An official alert for the citizen's area.
    Alert,
}

impl Kind {
    /// Every kind, in the order the settings list them.
    pub const ALL: [Kind; 12] = [
        Kind::SecurityLogin,
        Kind::Alert,
        Kind::AppointmentBooked,
        Kind::AppointmentRescheduled,
        Kind::AppointmentCancelled,
        Kind::AppointmentReminder,
        Kind::CheckinOpen,
        Kind::FeedbackStatus,
        Kind::FeedbackRate,
        Kind::DocumentIssued,
        Kind::DocumentRevoked,
        Kind::ShareUsed,
    ];

    /// The wire and storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AppointmentBooked => "appointment_booked",
            Kind::AppointmentRescheduled => "appointment_rescheduled",
            Kind::AppointmentCancelled => "appointment_cancelled",
            Kind::AppointmentReminder => "appointment_reminder",
            Kind::CheckinOpen => "checkin_open",
            Kind::FeedbackStatus => "feedback_status",
            Kind::FeedbackRate => "feedback_rate",
            Kind::DocumentIssued => "document_issued",
            Kind::DocumentRevoked => "document_revoked",
            Kind::ShareUsed => "share_used",
            Kind::SecurityLogin => "security_login",
            Kind::Alert => "alert",
        }
    }

    /// Parses the spelling; anything else is `None`.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Security notices reach the citizen whatever they chose: their
    /// channels cannot be changed and quiet hours do not hold them back.
    pub fn suppressible(self) -> bool {
        self != Kind::SecurityLogin
    }

    /// Kinds that fall back to SMS by default when Zalo cannot take them:
    /// the ones that are useless late or unseen.
    pub fn must_arrive(self) -> bool {
        matches!(
            self,
            Kind::SecurityLogin | Kind::AppointmentReminder | Kind::Alert
        )
    }

    /// The outside channels a citizen gets without choosing (the app's
    /// inbox is always on).
    pub fn default_channels(self) -> Channels {
        Channels {
            zalo: true,
            sms: self.must_arrive(),
        }
    }
}

/// The outside channels chosen for one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Channels {
    /// Zalo (an OA message in the 48-hour window, else a ZNS template).
    pub zalo: bool,
    /// SMS.
    pub sms: bool,
}

impl Channels {
    /// The storage spelling: a comma list of `zalo` and `sms`.
    pub fn to_storage(self) -> String {
        self.names().join(",")
    }

    /// Reads the storage spelling; unknown words are ignored, so a channel
    /// retired later cannot make a row unreadable.
    pub fn from_storage(s: &str) -> Channels {
        let mut c = Channels::default();
        for word in s.split(',') {
            match word.trim() {
                "zalo" => c.zalo = true,
                "sms" => c.sms = true,
                _ => {}
            }
        }
        c
    }

    /// The API spelling, the app's inbox first: `["in_app", "zalo", "sms"]`.
    pub fn api_names(self) -> Vec<&'static str> {
        let mut out = vec!["in_app"];
        out.extend(self.names());
        out
    }

    fn names(self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.zalo {
            out.push("zalo");
        }
        if self.sms {
            out.push("sms");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_and_unknown_is_none() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("appointment"), None);
        assert_eq!(Kind::parse(""), None);
    }

    #[test]
    fn only_security_notices_are_unsuppressible_and_sms_backs_what_must_arrive() {
        let fixed: Vec<Kind> = Kind::ALL
            .into_iter()
            .filter(|k| !k.suppressible())
            .collect();
        assert_eq!(fixed, vec![Kind::SecurityLogin]);
        assert!(Kind::AppointmentReminder.default_channels().sms);
        assert!(!Kind::AppointmentBooked.default_channels().sms);
        assert!(Kind::AppointmentBooked.default_channels().zalo);
    }

    #[test]
    fn channels_round_trip_through_storage_and_skip_unknown_words() {
        let both = Channels {
            zalo: true,
            sms: true,
        };
        assert_eq!(both.to_storage(), "zalo,sms");
        assert_eq!(Channels::from_storage("zalo,sms"), both);
        assert_eq!(Channels::from_storage(""), Channels::default());
        assert_eq!(
            Channels::from_storage("fax, sms"),
            Channels {
                zalo: false,
                sms: true
            }
        );
        assert_eq!(both.api_names(), vec!["in_app", "zalo", "sms"]);
    }
}
