//! The chat-bot: what to answer to each authenticated event (docs/zalo.md).

use super::command::{self, Command};
use super::conversation::{Conversations, Step, PHONE_WAIT_SECONDS};
use super::event::{Event, EventKind};
use super::split::{split_message, MAX_MESSAGE_CHARS};
use super::{link, lookups, texts};
use crate::identity::{find_by_zalo_user, Ports};
use crate::ports::{HttpClient, Kv, StoreError};

/// The ports the bot needs for one event: identity's (links, accounts,
/// challenges and the audit log live in SQL) plus the conversations and
/// outbound HTTP.
#[derive(Clone, Copy)]
pub struct BotPorts<'a> {
    /// SQL, clock, randomness and settings, as identity takes them.
    pub core: Ports<'a>,
    /// The conversations.
    pub kv: &'a dyn Kv,
    /// For one-time codes by ZNS (replies go out separately, see `reply`).
    pub http: &'a dyn HttpClient,
}

impl<'a> BotPorts<'a> {
    pub(crate) fn identity(&self) -> Ports<'a> {
        self.core
    }

    pub(crate) fn conversations(&self) -> Conversations<'a> {
        Conversations::new(self.kv)
    }
}

/// How many notices "thông báo" lists.
const NOTICES_SHOWN: u32 = 5;

/// What handling an event produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The messages to send to the user, in order, each within Zalo's limit.
    pub replies: Vec<String>,
    /// Lines for the operator's log (never codes, tokens or full phones).
    pub notes: Vec<String>,
}

impl Outcome {
    pub(crate) fn say(text: impl Into<String>) -> Outcome {
        Outcome {
            replies: vec![text.into()],
            notes: Vec::new(),
        }
    }

    pub(crate) fn note(mut self, line: impl Into<String>) -> Outcome {
        self.notes.push(line.into());
        self
    }
}

/// Handles one event. `Err` only when a store failed before anything was
/// done; the component then answers the user that the system is busy.
pub fn handle(ports: BotPorts<'_>, event: &Event) -> Result<Outcome, StoreError> {
    let Some(user) = event.user_id.as_deref() else {
        return Ok(Outcome::default().note("event without a usable user id ignored"));
    };
    // Any message from the user opens the OA's 48-hour window for free
    // replies, which the notice dispatcher uses (docs/notifications.md).
    if matches!(&event.kind, EventKind::Text(_) | EventKind::Follow)
        || matches!(&event.kind, EventKind::Other(name) if name.starts_with("user_send_"))
    {
        crate::notify::record_zalo_interaction(ports.core.sql, user, ports.core.clock.now())?;
    }
    let outcome = match &event.kind {
        EventKind::Follow => Outcome::say(format!("{}\n\n{}", texts::WELCOME, texts::HELP)),
        EventKind::Unfollow => {
            // Zalo does not deliver messages to users who left; only tidy up.
            ports.conversations().clear(user)?;
            Outcome::default()
        }
        EventKind::Text(text) => on_text(ports, user, text)?,
        EventKind::Other(name) if name.starts_with("user_send_") => {
            Outcome::say(texts::NOT_UNDERSTOOD)
        }
        EventKind::Other(_) => Outcome::default(),
    };
    Ok(Outcome {
        replies: outcome
            .replies
            .iter()
            .flat_map(|r| split_message(r, MAX_MESSAGE_CHARS))
            .collect(),
        notes: outcome.notes,
    })
}

fn on_text(ports: BotPorts<'_>, user: &str, text: &str) -> Result<Outcome, StoreError> {
    let now = ports.core.clock.now();
    let conversations = ports.conversations();
    match command::parse(text) {
        Command::SignUp => {
            conversations.save(user, Step::AwaitingPhone, now + PHONE_WAIT_SECONDS)?;
            Ok(Outcome::say(texts::ASK_PHONE))
        }
        Command::Cancel => match conversations.load(user, now)? {
            Step::Idle => Ok(Outcome::say(texts::NOTHING_TO_CANCEL)),
            _ => {
                conversations.clear(user)?;
                Ok(Outcome::say(texts::CANCELLED))
            }
        },
        Command::Help => Ok(Outcome::say(texts::HELP)),
        Command::Appointments => {
            let Some(account) = find_by_zalo_user(ports.identity(), user)? else {
                return Ok(Outcome::say(texts::NOT_LINKED));
            };
            let lines = lookups::upcoming_appointments(ports.core.sql, &account.id, now)?;
            if lines.is_empty() {
                return Ok(Outcome::say(texts::NO_APPOINTMENTS));
            }
            Ok(Outcome::say(format!(
                "{}\n{}",
                texts::appointments_header(lines.len()),
                lines.join("\n")
            )))
        }
        Command::Notices => {
            let Some(account) = find_by_zalo_user(ports.identity(), user)? else {
                return Ok(Outcome::say(texts::NOT_LINKED));
            };
            let lines = crate::notify::latest_lines(ports.core.sql, &account.id, NOTICES_SHOWN)?;
            if lines.is_empty() {
                return Ok(Outcome::say(texts::NO_NOTICES));
            }
            Ok(Outcome::say(format!(
                "{}\n{}",
                texts::notices_header(lines.len()),
                lines.join("\n")
            )))
        }
        Command::Feedback(content) => {
            if content.is_empty() {
                return Ok(Outcome::say(texts::FEEDBACK_EMPTY));
            }
            let Some(account) = find_by_zalo_user(ports.identity(), user)? else {
                return Ok(Outcome::say(texts::NOT_LINKED));
            };
            lookups::file_feedback(ports, &account, &content)
        }
        Command::Text => match conversations.load(user, now)? {
            Step::Idle => Ok(Outcome::say(texts::NOT_UNDERSTOOD)),
            Step::AwaitingPhone => link::phone_given(ports, user, text),
            Step::AwaitingCode {
                challenge_id,
                phone,
            } => link::code_given(ports, user, text, &challenge_id, &phone),
        },
    }
}
