//! The citizen's notification choices: one row of general settings and one
//! row per kind they changed, each written by one upsert.

use crate::notify::{Channels, Kind};
use crate::ports::{Sql, StoreError};
use crate::rows;

/// The general settings as stored (`None` fields: the defaults).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Stored {
    pub lang: Option<String>,
    pub quiet_start: Option<i64>,
    pub quiet_end: Option<i64>,
    pub zalo_linked: bool,
    pub channels: Vec<(Kind, Channels)>,
}

/// Everything the account chose.
pub(crate) fn read(sql: &dyn Sql, account_id: &str) -> Result<Stored, StoreError> {
    let general = sql.execute(
        "SELECT c.zalo_user_id, st.lang, st.quiet_start, st.quiet_end FROM citizens c \
         LEFT JOIN notification_settings st ON st.account_id = c.id WHERE c.id = ?1",
        &[account_id.into()],
    )?;
    let mut out = Stored::default();
    if let Some(r) = rows::first(&general) {
        out.lang = r.opt_text("lang")?;
        out.quiet_start = r.opt_i64("quiet_start")?;
        out.quiet_end = r.opt_i64("quiet_end")?;
        out.zalo_linked = r.opt_text("zalo_user_id")?.is_some();
    }
    let kinds = sql.execute(
        "SELECT kind, channels FROM notification_channels WHERE account_id = ?1",
        &[account_id.into()],
    )?;
    for r in rows::all(&kinds) {
        // A kind retired later is skipped rather than failing the read.
        if let Some(kind) = Kind::parse(&r.text("kind")?) {
            out.channels
                .push((kind, Channels::from_storage(&r.text("channels")?)));
        }
    }
    Ok(out)
}

/// The language the account chose for notices, `None` until it chose.
pub(crate) fn chosen_lang(sql: &dyn Sql, account_id: &str) -> Result<Option<String>, StoreError> {
    let rows = sql.execute(
        "SELECT lang FROM notification_settings WHERE account_id = ?1",
        &[account_id.into()],
    )?;
    rows::first(&rows).map(|r| r.text("lang")).transpose()
}

/// Sets the fields given and keeps the others.
pub(crate) fn write_general(
    sql: &dyn Sql,
    account_id: &str,
    lang: Option<&str>,
    quiet: Option<(i64, i64)>,
    now: i64,
) -> Result<(), StoreError> {
    let (start, end) = match quiet {
        Some((s, e)) => (Some(s), Some(e)),
        None => (None, None),
    };
    sql.execute(
        "INSERT INTO notification_settings (account_id, lang, quiet_start, quiet_end, updated_at) \
         VALUES (?1, COALESCE(?2, 'vi'), COALESCE(?3, 1320), COALESCE(?4, 360), ?5) \
         ON CONFLICT (account_id) DO UPDATE SET \
           lang = COALESCE(?2, notification_settings.lang), \
           quiet_start = COALESCE(?3, notification_settings.quiet_start), \
           quiet_end = COALESCE(?4, notification_settings.quiet_end), \
           updated_at = ?5",
        &[
            account_id.into(),
            lang.map(str::to_owned).into(),
            start.into(),
            end.into(),
            now.into(),
        ],
    )?;
    Ok(())
}

/// Sets the channels of one kind.
pub(crate) fn write_channels(
    sql: &dyn Sql,
    account_id: &str,
    kind: Kind,
    channels: Channels,
    now: i64,
) -> Result<(), StoreError> {
    sql.execute(
        "INSERT INTO notification_channels (account_id, kind, channels, updated_at) \
         VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (account_id, kind) DO UPDATE SET channels = ?3, updated_at = ?4",
        &[
            account_id.into(),
            kind.as_str().into(),
            channels.to_storage().into(),
            now.into(),
        ],
    )?;
    Ok(())
}
