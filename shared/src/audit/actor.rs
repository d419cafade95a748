//! Who acted, as typed values rendered to the stored `audit_log.actor`
//! strings (`admin`, `anonymous`, `citizen:<id>`, …).
//!
//! Stored values outlive code: the rendering never changes, so entries written
//! before this type existed read the same as new ones.

use std::fmt;

use crate::identity::Role;

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A request carrying the `admin_token`: `admin`.
    Admin,
    /// Nobody signed in yet (a failed code): `anonymous`.
    Anonymous,
    /// A citizen's account: `citizen:<account id>`.
    Citizen(String),
    /// An official's account: `official:<account id>`.
    Official(String),
    /// An issuer's API key: `issuer:<key code>`.
    Issuer(String),
    /// A share link being opened: `share:<share id>`.
    Share(String),
    /// A kiosk nobody signed in at (a check-in by ticket code alone):
    /// `kiosk:anonymous`.
    Kiosk,
    /// A city service logged in through the platform (an OpenID Connect
    /// client): `service:<client id>`.
    Service(String),
}

impl Actor {
    /// The signed-in account `account_id` in the role it has now.
    pub fn account(role: Role, account_id: &str) -> Actor {
        match role {
            Role::Citizen => Actor::Citizen(account_id.to_owned()),
            Role::Official => Actor::Official(account_id.to_owned()),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Admin => f.write_str("admin"),
            Actor::Anonymous => f.write_str("anonymous"),
            Actor::Citizen(id) => write!(f, "citizen:{id}"),
            Actor::Official(id) => write!(f, "official:{id}"),
            Actor::Issuer(code) => write!(f, "issuer:{code}"),
            Actor::Share(id) => write!(f, "share:{id}"),
            Actor::Kiosk => f.write_str("kiosk:anonymous"),
            Actor::Service(id) => write!(f, "service:{id}"),
        }
    }
}

impl From<Actor> for String {
    fn from(actor: Actor) -> String {
        actor.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_stored_actor_strings() {
        let cases = [
            (Actor::Admin, "admin"),
            (Actor::Anonymous, "anonymous"),
            (Actor::account(Role::Citizen, "acc_1"), "citizen:acc_1"),
            (Actor::account(Role::Official, "acc_2"), "official:acc_2"),
            (Actor::Issuer("hcm-tax".into()), "issuer:hcm-tax"),
            (Actor::Share("sh_9".into()), "share:sh_9"),
            (Actor::Kiosk, "kiosk:anonymous"),
            (Actor::Service("rp_1".into()), "service:rp_1"),
        ];
        for (actor, stored) in cases {
            assert_eq!(String::from(actor), stored);
        }
    }
}
