//! Every SQL statement of the alerts and their row mapping.
//!
//! The rules that must hold when requests race are single statements
//! (docs/consistency.md, "Alerts"): a message is stored only while its
//! publisher holds the `alerts` role (the `EXISTS` inside the insert), the
//! next message of a chain takes the next version only once (UNIQUE
//! (alert_id, version) and the primary key), nothing follows a `Cancel`
//! (the insert reads the latest message itself), and the trigger of
//! migration 0016 writes the notices inside the same statement.

use super::area::{Area, Kind};
use super::cap::{Category, Certainty, MsgType, Severity, Status, Urgency};
use super::draft::Content;
use super::publishers::Publisher;
use super::Message;
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::{self, Row};

const COLUMNS: &str = "id, alert_id, version, msg_type, previous_id, sender, sent, status, \
     category, event, urgency, severity, certainty, effective, expires, headline, description, \
     instruction, area_codes, published_by";

/// Every area.
pub(crate) fn areas(sql: &dyn Sql) -> Result<Vec<Area>, StoreError> {
    let rows = sql.execute(
        "SELECT code, kind, name, parent, gso_code FROM areas ORDER BY code",
        &[],
    )?;
    let all = rows::decode_all(&rows, |r| {
        Ok(Area {
            code: r.text("code")?,
            kind: r.parsed("kind", Kind::parse)?,
            name: r.text("name")?,
            parent: r.opt_text("parent")?,
            gso_code: r.opt_text("gso_code")?,
        })
    })?;
    // The city, then each district (by name) followed by its wards.
    let mut out: Vec<Area> = all
        .iter()
        .filter(|a| a.kind == Kind::City)
        .cloned()
        .collect();
    let mut districts: Vec<&Area> = all.iter().filter(|a| a.kind == Kind::District).collect();
    districts.sort_by(|a, b| a.name.cmp(&b.name));
    for d in districts {
        out.push(d.clone());
        let mut wards: Vec<&Area> = all
            .iter()
            .filter(|a| a.kind == Kind::Ward && a.parent.as_deref() == Some(d.code.as_str()))
            .collect();
        wards.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(wards.into_iter().cloned());
    }
    Ok(out)
}

fn area_codes(areas: &[String]) -> String {
    format!(",{},", areas.join(","))
}

fn content_params(c: &Content) -> Vec<SqlValue> {
    vec![
        c.status.as_str().into(),
        c.category.as_str().into(),
        c.event.clone().into(),
        c.urgency.as_str().into(),
        c.severity.as_str().into(),
        c.certainty.as_str().into(),
        c.effective.into(),
        c.expires.into(),
        c.headline.clone().into(),
        c.description.clone().into(),
        c.instruction.clone().into(),
        area_codes(&c.areas).into(),
    ]
}

/// The publisher holds the role: an official with a grant.
const HOLDS_ROLE: &str = "EXISTS (SELECT 1 FROM alert_publishers p JOIN citizens c \
     ON c.id = p.account_id WHERE p.account_id = ?13 AND c.role = 'official')";

/// Stores the first message of alert `alert_id`; `false` when the
/// publisher does not hold the role.
pub(crate) fn insert_first(
    sql: &dyn Sql,
    alert_id: &str,
    c: &Content,
    publisher: &str,
    sender: &str,
    sent: i64,
) -> Result<bool, StoreError> {
    let mut params = content_params(c);
    params.extend([
        publisher.into(),
        alert_id.into(),
        sender.into(),
        sent.into(),
    ]);
    let rows = sql.execute(
        &format!(
            "INSERT INTO alerts ({COLUMNS}) \
             SELECT CAST(?14 AS TEXT) || '.1', ?14, 1, 'Alert', NULL, ?15, ?16, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
                    ?9, ?10, ?11, ?12, ?13 \
             WHERE {HOLDS_ROLE} RETURNING id"
        ),
        &params,
    )?;
    Ok(!rows.rows.is_empty())
}

/// What storing the next message found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Stored.
    Stored,
    /// Nothing stored: the publisher lost the role, the alert was
    /// cancelled, or `after` is not a message of it.
    Refused,
    /// Another message took the version first.
    Taken,
}

/// Stores the message after version `after` of `alert_id`, of `msg_type`,
/// in one statement that reads the message it follows: only if that is
/// not a `Cancel`, and only once per version.
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_next(
    sql: &dyn Sql,
    alert_id: &str,
    after: i64,
    msg_type: MsgType,
    c: &Content,
    publisher: &str,
    sender: &str,
    sent: i64,
) -> Result<Next, StoreError> {
    let mut params = content_params(c);
    params.extend([
        publisher.into(),
        alert_id.into(),
        sender.into(),
        sent.into(),
        after.into(),
        msg_type.as_str().into(),
    ]);
    let result = sql.execute(
        &format!(
            "INSERT INTO alerts ({COLUMNS}) \
             SELECT l.alert_id || '.' || CAST(l.version + 1 AS TEXT), l.alert_id, l.version + 1, \
                    ?18, l.id, ?15, ?16, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13 \
             FROM alerts l \
             WHERE l.alert_id = ?14 AND l.version = ?17 AND l.msg_type <> 'Cancel' AND {HOLDS_ROLE} \
             RETURNING id"
        ),
        &params,
    );
    match result {
        Ok(rows) if rows.rows.is_empty() => Ok(Next::Refused),
        Ok(_) => Ok(Next::Stored),
        Err(StoreError::Constraint(_)) => Ok(Next::Taken),
        Err(e) => Err(e),
    }
}

/// Every message of `alert_id`, oldest first.
pub(crate) fn chain(sql: &dyn Sql, alert_id: &str) -> Result<Vec<Message>, StoreError> {
    let rows = sql.execute(
        &format!("SELECT {COLUMNS} FROM alerts WHERE alert_id = ?1 ORDER BY version"),
        &[alert_id.into()],
    )?;
    rows::decode_all(&rows, message_row)
}

/// The latest message of every alert that is real, not cancelled and in
/// force at `now`, newest first; at most `limit`.
pub(crate) fn active(sql: &dyn Sql, now: i64, limit: u32) -> Result<Vec<Message>, StoreError> {
    let rows = sql.execute(
        &format!(
            "SELECT {COLUMNS} FROM alerts m \
             WHERE m.expires > ?1 AND m.effective <= ?1 AND m.status = 'Actual' \
               AND m.msg_type <> 'Cancel' \
               AND NOT EXISTS (SELECT 1 FROM alerts n \
                               WHERE n.alert_id = m.alert_id AND n.version > m.version) \
             ORDER BY m.sent DESC, m.id LIMIT ?2"
        ),
        &[now.into(), i64::from(limit).into()],
    )?;
    rows::decode_all(&rows, message_row)
}

fn message_row(r: &Row<'_>) -> Result<Message, StoreError> {
    let codes = r.text("area_codes")?;
    Ok(Message {
        id: r.text("id")?,
        alert_id: r.text("alert_id")?,
        version: r.i64("version")?,
        msg_type: r.parsed("msg_type", MsgType::parse)?,
        previous_id: r.opt_text("previous_id")?,
        sender: r.text("sender")?,
        sent: r.i64("sent")?,
        status: r.parsed("status", Status::parse)?,
        category: r.parsed("category", Category::parse)?,
        event: r.text("event")?,
        urgency: r.parsed("urgency", Urgency::parse)?,
        severity: r.parsed("severity", Severity::parse)?,
        certainty: r.parsed("certainty", Certainty::parse)?,
        effective: r.i64("effective")?,
        expires: r.i64("expires")?,
        headline: r.text("headline")?,
        description: r.text("description")?,
        instruction: r.opt_text("instruction")?,
        areas: codes
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        published_by: r.text("published_by")?,
    })
}

/// Grants the role to the official of `phone`; their account id, `None`
/// when no official has that phone. Granting twice keeps the first time.
pub(crate) fn grant(sql: &dyn Sql, phone: &str, now: i64) -> Result<Option<String>, StoreError> {
    let rows = sql.execute(
        "INSERT INTO alert_publishers (account_id, granted_at) \
         SELECT id, ?2 FROM citizens WHERE phone = ?1 AND role = 'official' \
         ON CONFLICT (account_id) DO UPDATE SET granted_at = alert_publishers.granted_at \
         RETURNING account_id",
        &[phone.into(), now.into()],
    )?;
    Ok(rows::single(&rows).and_then(|v| v.as_str().map(str::to_owned)))
}

/// Takes the role from the account of `phone`; whether it had it.
pub(crate) fn revoke(sql: &dyn Sql, phone: &str) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "DELETE FROM alert_publishers \
         WHERE account_id IN (SELECT id FROM citizens WHERE phone = ?1) RETURNING account_id",
        &[phone.into()],
    )?;
    Ok(!rows.rows.is_empty())
}

/// Whether `account_id` is an official holding the role.
pub(crate) fn holds_role(sql: &dyn Sql, account_id: &str) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "SELECT count(*) FROM alert_publishers p JOIN citizens c ON c.id = p.account_id \
         WHERE p.account_id = ?1 AND c.role = 'official'",
        &[account_id.into()],
    )?;
    Ok(rows::single(&rows).and_then(SqlValue::as_i64).unwrap_or(0) > 0)
}

/// The publishers, oldest grant first.
pub(crate) fn publishers(sql: &dyn Sql) -> Result<Vec<Publisher>, StoreError> {
    let rows = sql.execute(
        "SELECT c.id, c.phone, c.full_name, p.granted_at FROM alert_publishers p \
         JOIN citizens c ON c.id = p.account_id ORDER BY p.granted_at, c.id",
        &[],
    )?;
    rows::decode_all(&rows, |r| {
        Ok(Publisher {
            account_id: r.text("id")?,
            phone: r.text("phone")?,
            full_name: r.opt_text("full_name")?,
            granted_at: crate::local_time::rfc3339_vn(r.i64("granted_at")?),
        })
    })
}
