//! Where each Zalo user is in a conversation, kept in the key-value store.
//!
//! The KV store has no expiry of its own, so every value carries its
//! `expires_at` and an expired value reads as no conversation at all.

use serde::{Deserialize, Serialize};

use crate::ports::{Kv, StoreError};

/// How long the bot waits for a phone number after "đăng ký".
pub const PHONE_WAIT_SECONDS: i64 = 600;

/// What the bot is waiting for from a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Nothing: messages are read as commands.
    Idle,
    /// "đăng ký" was sent; the next plain text is the phone number.
    AwaitingPhone,
    /// A code went to `phone` (E.164) for `challenge_id`; the next plain
    /// text is the code.
    AwaitingCode {
        /// The identity challenge the code belongs to.
        challenge_id: String,
        /// Where the code went (E.164).
        phone: String,
    },
}

#[derive(Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    step: Step,
    expires_at: i64,
}

/// Conversations of the bot's users.
pub struct Conversations<'a> {
    kv: &'a dyn Kv,
}

impl<'a> Conversations<'a> {
    /// The conversations stored in `kv`.
    pub fn new(kv: &'a dyn Kv) -> Conversations<'a> {
        Conversations { kv }
    }

    fn key(user_id: &str) -> String {
        format!("zalo:conversation:{user_id}")
    }

    /// The user's current step; [`Step::Idle`] when none, expired or unreadable
    /// (a value written by an older version must not wedge the user).
    pub fn load(&self, user_id: &str, now: i64) -> Result<Step, StoreError> {
        let Some(bytes) = self.kv.get(&Self::key(user_id))? else {
            return Ok(Step::Idle);
        };
        match serde_json::from_slice::<Stored>(&bytes) {
            Ok(s) if s.expires_at > now => Ok(s.step),
            _ => {
                self.clear(user_id)?;
                Ok(Step::Idle)
            }
        }
    }

    /// Moves the user to `step` until `expires_at` (Unix seconds).
    pub fn save(&self, user_id: &str, step: Step, expires_at: i64) -> Result<(), StoreError> {
        if step == Step::Idle {
            return self.clear(user_id);
        }
        let value = serde_json::to_vec(&Stored { step, expires_at })
            .map_err(|e| StoreError::Unavailable(format!("conversation not serialisable: {e}")))?;
        self.kv.set(&Self::key(user_id), &value)
    }

    /// Forgets the user's conversation.
    pub fn clear(&self, user_id: &str) -> Result<(), StoreError> {
        self.kv.delete(&Self::key(user_id))
    }
}
