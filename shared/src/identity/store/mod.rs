//! The identity domain's SQL: every statement on `citizens` (the identity
//! columns and `id_number_claims`), `sessions`, `otp_challenges` and
//! `otp_network_failures`, with the mapping of their rows. The rule files
//! (`account`, `session`, `challenge`, `lockout`, `quota`, `housekeeping`)
//! and `otp_flow` decide what to ask; only this module speaks SQL.
//!
//! Every limit and every "only once" is part of the one statement that
//! writes (a `WHERE` on the `UPDATE` or `INSERT … SELECT`, a unique column
//! with `ON CONFLICT`, `RETURNING` to learn whether it matched), never a
//! read followed by a write. Reads that follow a refused write only choose
//! the error shown.

pub mod accounts;
pub mod challenges;
pub mod failures;
pub mod sessions;
