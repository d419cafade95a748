//! Statements on the profile: the `citizens` columns of migration 0002 and
//! the citizen's declared number in `id_number_claims` (migration 0008).

use crate::documents::profile::Profile;
use crate::identity::store::accounts;
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::{first, Row};

/// Every `citizens c` column (read by identity's account reader), with the
/// citizen's claim if any.
const PROFILE_SELECT: &str = "SELECT c.*, k.id_number AS declared_id_number \
     FROM citizens c LEFT JOIN id_number_claims k ON k.citizen_id = c.id";

/// The citizen's row as identity reads it, plus the declared number.
fn profile(r: &Row<'_>) -> Result<Profile, StoreError> {
    let account = accounts::account(r)?;
    Ok(Profile {
        citizen_id: account.id,
        phone: account.phone_e164,
        full_name: account.full_name,
        date_of_birth: account.date_of_birth,
        gender: account.gender,
        id_number: account.id_number,
        declared_id_number: r.opt_text("declared_id_number")?,
        address: account.address,
        level: account.level,
        role: account.role,
        unit_code: account.unit_code,
        updated_at: account.updated_at,
    })
}

fn one(
    sql: &dyn Sql,
    where_clause: &str,
    params: &[SqlValue],
) -> Result<Option<Profile>, StoreError> {
    let rows = sql.execute(&format!("{PROFILE_SELECT} WHERE {where_clause}"), params)?;
    first(&rows).map(|r| profile(&r)).transpose()
}

/// The profile of `citizen_id`.
pub fn by_id(sql: &dyn Sql, citizen_id: &str) -> Result<Option<Profile>, StoreError> {
    one(sql, "c.id = ?1", &[citizen_id.into()])
}

/// The verified citizen whose *confirmed* number this is (claims are not
/// looked at). The level check is redundant with migration 0008 (only
/// verification writes `citizens.id_number`) and kept so that a row written
/// any other way still cannot route.
pub fn by_confirmed_id_number(
    sql: &dyn Sql,
    id_number: &str,
) -> Result<Option<Profile>, StoreError> {
    one(
        sql,
        "c.id_number = ?1 AND c.level = 'verified'",
        &[id_number.into()],
    )
}

/// One column's change: `None` keeps it, `Some(None)` clears it.
pub type Change = Option<Option<String>>;

/// Writes the name, date of birth, gender and address changes in one
/// statement whose `WHERE` carries the lock on a verified account's
/// identity fields (an unchanged value passes; the id number passes unless
/// a confirmed one differs), so a confirmation landing at the same moment
/// cannot be overtaken. `changes` is in form order: name, date of birth,
/// gender, id number, address. Returns the account's confirmed number
/// (`Some(None)`: none), or `None` when nothing was written (unknown account
/// or locked fields).
pub fn update_columns(
    sql: &dyn Sql,
    citizen_id: &str,
    changes: &[Change; 5],
    now: i64,
) -> Result<Option<Option<String>>, StoreError> {
    let mut params: Vec<SqlValue> = vec![citizen_id.into()];
    for change in changes {
        params.push(SqlValue::Integer(i64::from(change.is_none())));
        params.push(change.clone().flatten().into());
    }
    params.push(now.into());
    // ?8/?9: the id number may change unless a confirmed one differs.
    let statement = "UPDATE citizens SET \
           full_name = CASE WHEN ?2 = 1 THEN full_name ELSE ?3 END, \
           date_of_birth = CASE WHEN ?4 = 1 THEN date_of_birth ELSE ?5 END, \
           gender = CASE WHEN ?6 = 1 THEN gender ELSE ?7 END, \
           address = CASE WHEN ?10 = 1 THEN address ELSE ?11 END, \
           updated_at = ?12 \
         WHERE id = ?1 AND (level <> 'verified' OR ( \
           (?2 = 1 OR full_name IS NOT DISTINCT FROM ?3) AND \
           (?4 = 1 OR date_of_birth IS NOT DISTINCT FROM ?5) AND \
           (?6 = 1 OR gender IS NOT DISTINCT FROM ?7) AND \
           (?8 = 1 OR id_number IS NULL OR id_number IS NOT DISTINCT FROM ?9))) \
         RETURNING id, id_number";
    let rows = sql.execute(statement, &params)?;
    first(&rows).map(|r| r.opt_text("id_number")).transpose()
}

/// Withdraws the citizen's claim.
pub fn delete_claim(sql: &dyn Sql, citizen_id: &str) -> Result<(), StoreError> {
    sql.execute(
        "DELETE FROM id_number_claims WHERE citizen_id = ?1",
        &[citizen_id.into()],
    )?;
    Ok(())
}

/// Sets the citizen's claim, only while the account has no confirmed number
/// (the `WHERE` of the one statement); `false` when refused.
pub fn write_claim(
    sql: &dyn Sql,
    citizen_id: &str,
    id_number: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let written = sql.execute(
        "INSERT INTO id_number_claims (citizen_id, id_number, claimed_at) \
         SELECT id, ?2, ?3 FROM citizens WHERE id = ?1 AND id_number IS NULL \
         ON CONFLICT (citizen_id) DO UPDATE SET id_number = excluded.id_number, claimed_at = excluded.claimed_at \
         RETURNING citizen_id",
        &[citizen_id.into(), id_number.into(), now.into()],
    )?;
    Ok(!written.is_empty())
}
