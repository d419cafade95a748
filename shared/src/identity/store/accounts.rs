//! Statements on `citizens` that identity makes (creating, finding,
//! promoting, verifying, linking) and on `id_number_claims` when a claim is
//! confirmed. Creation is `INSERT … ON CONFLICT (phone) DO NOTHING
//! RETURNING`, so of parallel creators exactly one gets the row.

use crate::identity::account::Account;
use crate::identity::kinds::{Level, Role};
use crate::ports::{Sql, SqlRows, SqlValue, StoreError};
use crate::rows::{all, first, Row};

const COLUMNS: &str = "id, phone, full_name, level, role, unit_code, zalo_user_id, \
                       date_of_birth, gender, id_number, address, created_at, updated_at";

/// The account whose id is the SQL expression `id` as [`account`] reads it,
/// one scalar subquery per column: for the `RETURNING` list of a statement
/// on another table, so that statement also reads the account (one round
/// trip instead of two).
pub(crate) fn columns_of(id: &str) -> String {
    COLUMNS
        .split(',')
        .map(|c| {
            let c = c.trim();
            format!("(SELECT a.{c} FROM citizens a WHERE a.id = {id}) AS {c}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Creates a provisional citizen for `phone`; `None` when the phone already
/// has an account (nothing changed then).
pub fn insert_citizen(
    sql: &dyn Sql,
    id: String,
    phone: &str,
    full_name: Option<String>,
    now: i64,
) -> Result<Option<Account>, StoreError> {
    let insert = format!(
        "INSERT INTO citizens (id, phone, full_name, level, role, created_at, updated_at) \
         VALUES (?1, ?2, ?3, 'provisional', 'citizen', ?4, ?4) \
         ON CONFLICT (phone) DO NOTHING RETURNING {COLUMNS}"
    );
    let created = sql.execute(
        &insert,
        &[id.into(), phone.into(), full_name.into(), now.into()],
    )?;
    one(&created)
}

/// Creates a provisional official of `unit_code` for `phone`; `None` when
/// the phone already has an account (nothing changed then).
pub fn insert_official(
    sql: &dyn Sql,
    id: String,
    phone: &str,
    full_name: Option<String>,
    unit_code: &str,
    now: i64,
) -> Result<Option<Account>, StoreError> {
    let insert = format!(
        "INSERT INTO citizens \
           (id, phone, full_name, level, role, unit_code, created_at, updated_at) \
         VALUES (?1, ?2, ?3, 'provisional', 'official', ?4, ?5, ?5) \
         ON CONFLICT (phone) DO NOTHING RETURNING {COLUMNS}"
    );
    let created = sql.execute(
        &insert,
        &[
            id.into(),
            phone.into(),
            full_name.into(),
            unit_code.into(),
            now.into(),
        ],
    )?;
    one(&created)
}

/// Makes account `before` an official of `unit_code` (filling a missing
/// name with `full_name`) only if its role and unit are still those of
/// `before` — a compare-and-swap; `None` when they changed meanwhile.
pub fn promote_official(
    sql: &dyn Sql,
    before: &Account,
    unit_code: &str,
    full_name: Option<String>,
    now: i64,
) -> Result<Option<Account>, StoreError> {
    let update = format!(
        "UPDATE citizens SET role = 'official', unit_code = ?2, \
           full_name = COALESCE(full_name, ?3), updated_at = ?4 \
         WHERE id = ?1 AND role = ?5 AND unit_code IS NOT DISTINCT FROM ?6 RETURNING {COLUMNS}"
    );
    let updated = sql.execute(
        &update,
        &[
            before.id.as_str().into(),
            unit_code.into(),
            full_name.into(),
            now.into(),
            before.role.as_str().into(),
            before.unit_code.clone().into(),
        ],
    )?;
    one(&updated)
}

/// The account with this id.
pub fn by_id(sql: &dyn Sql, id: &str) -> Result<Option<Account>, StoreError> {
    select_by(sql, "id", id.into())
}

/// The account of this E.164 phone.
pub fn by_phone(sql: &dyn Sql, phone: &str) -> Result<Option<Account>, StoreError> {
    select_by(sql, "phone", phone.into())
}

/// The account this Zalo user is linked to.
pub fn by_zalo_user(sql: &dyn Sql, zalo_user_id: &str) -> Result<Option<Account>, StoreError> {
    select_by(sql, "zalo_user_id", zalo_user_id.into())
}

/// One `UPDATE` that raises account `id` to verified and moves its claimed
/// number into `citizens.id_number` (touching `updated_at` only when
/// something changes). `None` for an unknown id; a
/// [`StoreError::Constraint`] when another verified citizen holds the
/// claimed number (the only unique column written), nothing changed then.
pub fn mark_verified(sql: &dyn Sql, id: &str, now: i64) -> Result<Option<Account>, StoreError> {
    let update = format!(
        "UPDATE citizens SET \
           id_number = COALESCE(id_number, \
             (SELECT k.id_number FROM id_number_claims k WHERE k.citizen_id = ?1)), \
           updated_at = CASE WHEN level = 'verified' AND (id_number IS NOT NULL OR NOT EXISTS \
             (SELECT 1 FROM id_number_claims k WHERE k.citizen_id = ?1)) THEN updated_at ELSE ?2 END, \
           level = 'verified' \
         WHERE id = ?1 RETURNING {COLUMNS}"
    );
    let rows = sql.execute(&update, &[id.into(), now.into()])?;
    one(&rows)
}

/// The CCCD number account `id` claims, if any.
pub fn claimed_id_number(sql: &dyn Sql, id: &str) -> Result<Option<String>, StoreError> {
    let claim = sql.execute(
        "SELECT id_number FROM id_number_claims WHERE citizen_id = ?1",
        &[id.into()],
    )?;
    first(&claim).map(|r| r.text("id_number")).transpose()
}

/// Deletes account `id`'s claim and every claim of `id_number`, returning
/// the deleted `(citizen_id, id_number)` pairs.
pub fn delete_claims(
    sql: &dyn Sql,
    id: &str,
    id_number: Option<String>,
) -> Result<Vec<(String, String)>, StoreError> {
    let cleared = sql.execute(
        "DELETE FROM id_number_claims WHERE citizen_id = ?1 OR id_number = ?2 \
         RETURNING citizen_id, id_number",
        &[id.into(), id_number.into()],
    )?;
    all(&cleared)
        .map(|r| Ok((r.text("citizen_id")?, r.text("id_number")?)))
        .collect()
}

/// Unlinks `zalo_user_id` from every account but `account_id`.
pub fn unlink_zalo_elsewhere(
    sql: &dyn Sql,
    account_id: &str,
    zalo_user_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    sql.execute(
        "UPDATE citizens SET zalo_user_id = NULL, updated_at = ?3 \
         WHERE zalo_user_id = ?2 AND id <> ?1",
        &[account_id.into(), zalo_user_id.into(), now.into()],
    )?;
    Ok(())
}

/// Links `zalo_user_id` to `account_id`; `false` for an unknown account. A
/// Zalo user still linked elsewhere fails with [`StoreError::Constraint`].
pub fn link_zalo(
    sql: &dyn Sql,
    account_id: &str,
    zalo_user_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "UPDATE citizens SET zalo_user_id = ?2, updated_at = ?3 WHERE id = ?1 RETURNING id",
        &[account_id.into(), zalo_user_id.into(), now.into()],
    )?;
    Ok(!rows.is_empty())
}

fn select_by(sql: &dyn Sql, column: &str, value: SqlValue) -> Result<Option<Account>, StoreError> {
    // `column` is one of three literals in this file, never input.
    let statement = format!("SELECT {COLUMNS} FROM citizens WHERE {column} = ?1");
    let rows = sql.execute(&statement, &[value])?;
    one(&rows)
}

fn one(rows: &SqlRows) -> Result<Option<Account>, StoreError> {
    first(rows).map(|r| account(&r)).transpose()
}

/// A `citizens` row read by column name (documents' profile reads it too).
pub(crate) fn account(r: &Row<'_>) -> Result<Account, StoreError> {
    Ok(Account {
        id: r.text("id")?,
        phone_e164: r.text("phone")?,
        full_name: r.opt_text("full_name")?,
        level: r.parsed("level", Level::parse)?,
        role: r.parsed("role", Role::parse)?,
        unit_code: r.opt_text("unit_code")?,
        zalo_user_id: r.opt_text("zalo_user_id")?,
        date_of_birth: r.opt_text("date_of_birth")?,
        gender: r.opt_text("gender")?,
        id_number: r.opt_text("id_number")?,
        address: r.opt_text("address")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}
