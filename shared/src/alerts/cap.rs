//! The closed vocabularies of CAP 1.2 (OASIS, "Common Alerting Protocol
//! Version 1.2", §3.2) that the platform uses, spelled as the standard
//! spells them, on the wire and in storage.

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in the standard's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The standard's spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant)),+
                }
            }

            /// Reads the standard's spelling (exactly; CAP values are
            /// case-sensitive).
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// The spellings, for a 422's explanation.
            pub fn expected() -> String {
                let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                format!("one of {}", names.join(", "))
            }
        }
    };
}

vocabulary! {
    /// CAP `status`. `System` and `Draft` are not published by officials.
    Status {
        /// A real alert: in the feed, sent to citizens.
        Actual,
        /// A drill: readable by id, sent to no one.
        Exercise,
        /// A technical test: readable by id, sent to no one.
        Test,
    }
}

vocabulary! {
    /// CAP `msgType`. `Ack` and `Error` are for exchanges between systems.
    MsgType {
        /// The first message of an alert.
        Alert,
        /// Replaces the message it references.
        Update,
        /// Withdraws the message it references.
        Cancel,
    }
}

vocabulary! {
    /// CAP `category`.
    Category {
        /// Geophysical (landslide, earthquake).
        Geo,
        /// Meteorological (flood, storm).
        Met,
        /// General emergency and public safety.
        Safety,
        /// Law enforcement, military, homeland security.
        Security,
        /// Rescue and recovery.
        Rescue,
        /// Fire suppression and rescue.
        Fire,
        /// Medical and public health.
        Health,
        /// Pollution and other environmental.
        Env,
        /// Public and private transportation.
        Transport,
        /// Utility, telecommunication, other infrastructure.
        Infra,
        /// Chemical, biological, radiological, nuclear or explosive.
        CBRNE,
        /// Anything else.
        Other,
    }
}

vocabulary! {
    /// CAP `urgency`.
    Urgency {
        /// Act now.
        Immediate,
        /// Act within the next hour.
        Expected,
        /// Act in the near future.
        Future,
        /// No longer needed.
        Past,
        /// Not known.
        Unknown,
    }
}

vocabulary! {
    /// CAP `severity`, most severe first (the order notices are sent in).
    Severity {
        /// Extraordinary threat to life or property.
        Extreme,
        /// Significant threat to life or property.
        Severe,
        /// Possible threat to life or property.
        Moderate,
        /// Minimal to no known threat.
        Minor,
        /// Not known.
        Unknown,
    }
}

vocabulary! {
    /// CAP `certainty`.
    Certainty {
        /// Determined to have occurred or to be ongoing.
        Observed,
        /// More likely than not (p > ~50%).
        Likely,
        /// Possible but not likely (p <= ~50%).
        Possible,
        /// Not expected to occur (p ~ 0).
        Unlikely,
        /// Not known.
        Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_and_are_case_sensitive() {
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Category::parse("CBRNE"), Some(Category::CBRNE));
        assert_eq!(Category::parse("met"), None);
        assert_eq!(MsgType::parse("Ack"), None);
        assert!(
            Severity::Extreme < Severity::Minor,
            "most severe sorts first"
        );
        assert_eq!(
            Certainty::expected(),
            "one of Observed, Likely, Possible, Unlikely, Unknown"
        );
    }
}
