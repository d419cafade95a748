//! The small closed vocabularies of identity, with their storage spelling.

/// Why a one-time code was requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Creating an account.
    Signup,
    /// Signing in to an existing account.
    Login,
    /// Linking a Zalo user to the phone's account (chat-bot "đăng ký").
    ZaloLink,
}

/// Where the citizen is; decides the session profile (kiosk sessions are short).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    /// A browser: 30 minutes idle, 12 hours at most.
    Web,
    /// A kiosk: short sessions on a shared screen.
    Kiosk,
    /// The Zalo chat-bot.
    Zalo,
}

/// What an account may do (docs/architecture.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A citizen.
    Citizen,
    /// An official of a unit.
    Official,
}

/// How far the account's identity has been confirmed (docs/identity.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Signed up with a phone; identity not confirmed.
    Provisional,
    /// Identity confirmed by an official.
    Verified,
}

macro_rules! spelled {
    ($ty:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        impl $ty {
            /// The wire and storage spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $s),+ }
            }

            /// Parses the wire spelling; anything else is `None`.
            pub fn parse(s: &str) -> Option<$ty> {
                match s { $($s => Some($ty::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

spelled!(Purpose { Signup => "signup", Login => "login", ZaloLink => "zalo_link" });
spelled!(Client { Web => "web", Kiosk => "kiosk", Zalo => "zalo" });
spelled!(Role { Citizen => "citizen", Official => "official" });
spelled!(Level { Provisional => "provisional", Verified => "verified" });
