//! The small closed vocabularies of identity, with their storage spelling.

/// Why a one-time code was requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    Signup,
    Login,
    /// Linking a Zalo user to the phone's account (chat-bot "đăng ký").
    ZaloLink,
}

/// Where the citizen is; decides the session profile (kiosk sessions are short).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    Web,
    Kiosk,
    Zalo,
}

/// What an account may do (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Citizen,
    Official,
}

/// How far the account's identity has been confirmed (SPEC §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    Provisional,
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
