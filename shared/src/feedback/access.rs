//! Who may see how much of a feedback item (docs/feedback.md).
//!
//! * the owner sees everything about their item, including its history;
//! * officials of the item's unit see everything too, plus who sent it —
//!   unless the owner asked to stay anonymous;
//! * everyone else sees the public, redacted view of a published item, and
//!   for an unpublished one the same 404 as for an id that does not exist.

use super::Feedback;
use crate::identity::{Principal, Role};

/// The caller, as far as feedback is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer<'a> {
    /// No session.
    Public,
    /// A signed-in citizen.
    Citizen {
        /// Their account id.
        account_id: &'a str,
    },
    /// A signed-in official.
    Official {
        /// Their account id.
        account_id: &'a str,
        /// Their unit, if assigned.
        unit_code: Option<&'a str>,
    },
}

impl<'a> Viewer<'a> {
    /// The viewer for an optional authenticated caller.
    pub fn of(principal: Option<&'a Principal>) -> Viewer<'a> {
        match principal {
            None => Viewer::Public,
            Some(p) => match p.role {
                Role::Citizen => Viewer::Citizen {
                    account_id: &p.account_id,
                },
                Role::Official => Viewer::Official {
                    account_id: &p.account_id,
                    unit_code: p.unit_code.as_deref(),
                },
            },
        }
    }

    fn account_id(&self) -> Option<&'a str> {
        match *self {
            Viewer::Public => None,
            Viewer::Citizen { account_id } | Viewer::Official { account_id, .. } => {
                Some(account_id)
            }
        }
    }
}

/// How much of an item a viewer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The citizen who sent it: everything.
    Owner,
    /// An official of the handling unit: everything, and the sender unless
    /// anonymous.
    Handler,
    /// The redacted public view.
    Public,
    /// Nothing: answer 404.
    Hidden,
}

/// Decides a viewer's access to an item.
pub fn access(f: &Feedback, viewer: &Viewer<'_>) -> Access {
    if viewer.account_id().is_some() && viewer.account_id() == f.owner_id.as_deref() {
        return Access::Owner;
    }
    if let Viewer::Official {
        unit_code: Some(unit),
        ..
    } = viewer
    {
        if *unit == f.unit_code {
            return Access::Handler;
        }
    }
    if f.published {
        Access::Public
    } else {
        Access::Hidden
    }
}
