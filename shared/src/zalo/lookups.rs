//! The commands that read or write other capabilities' data for a linked
//! citizen: upcoming appointments (SPEC §9) and filing feedback (SPEC §8).

use super::bot::{BotPorts, Outcome};
use super::texts;
use crate::identity::{rfc3339_vn, Account};
use crate::ports::{Sql, SqlValue, StoreError};

/// Most appointments listed in the chat; more than this is not a chat answer.
pub const MAX_LISTED: usize = 100;

// Upcoming = still active (booked or arrived) and not yet over, soonest first.
// Reads the tables of infra/migrations/0006_appointments.sql directly: the
// chat needs one flat, read-only list, not the API's paginated views.
const UPCOMING: &str = "SELECT s.starts_at, v.name, v.address, a.ticket_code, a.status \
     FROM appointments a \
     JOIN appointment_slots s ON s.id = a.slot_id \
     JOIN services v ON v.code = a.service_code \
     WHERE a.citizen_id = ?1 AND a.status IN ('booked', 'arrived') AND s.ends_at > ?2 \
     ORDER BY s.starts_at, a.id LIMIT ?3";

/// One line per upcoming appointment of the citizen, soonest first.
pub fn upcoming_appointments(sql: &dyn Sql, citizen_id: &str, now: i64) -> Result<Vec<String>, StoreError> {
    let limit = i64::try_from(MAX_LISTED).unwrap_or(100) + 1;
    let rows = sql.execute(UPCOMING, &[citizen_id.into(), now.into(), limit.into()])?;
    let mut lines = Vec::with_capacity(rows.rows.len());
    for row in rows.rows.iter().take(MAX_LISTED) {
        let [starts_at, name, address, ticket, status] = row.as_slice() else {
            return Err(StoreError::Unavailable("unexpected appointment row".into()));
        };
        let starts_at = starts_at.as_i64().ok_or_else(|| bad("starts_at"))?;
        let state = match status.as_str() {
            Some("arrived") => " (đã check-in)",
            _ => "",
        };
        lines.push(format!(
            "• {} — {} ({}) — mã vé {}{state}",
            when(starts_at),
            text(name),
            text(address),
            text(ticket),
        ));
    }
    if rows.rows.len() > MAX_LISTED {
        lines.push(format!("(Chỉ hiển thị {MAX_LISTED} lịch hẹn gần nhất.)"));
    }
    Ok(lines)
}

/// Files `content` as feedback of the linked citizen and answers with the
/// tracking code.
pub fn file_feedback(ports: BotPorts<'_>, account: &Account, content: &str) -> Result<Outcome, StoreError> {
    let _ = (ports, account, content);
    Ok(Outcome::say(texts::FEEDBACK_UNAVAILABLE))
}

fn bad(column: &str) -> StoreError {
    StoreError::Unavailable(format!("unexpected value in column {column}"))
}

fn text(v: &SqlValue) -> &str {
    v.as_str().unwrap_or_default()
}

/// `08:30 Thứ Hai 01/12/2026` in the city's time.
pub fn when(unix_seconds: i64) -> String {
    // rfc3339_vn gives "YYYY-MM-DDTHH:MM:SS+07:00".
    let stamp = rfc3339_vn(unix_seconds);
    let part = |a: usize, b: usize| stamp.get(a..b).unwrap_or_default();
    let local_days = (unix_seconds + 7 * 3_600).div_euclid(86_400);
    // 1970-01-01 was a Thursday.
    let weekday = ["Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư"]
        [usize::try_from(local_days.rem_euclid(7)).unwrap_or(0)];
    format!("{} {weekday} {}/{}/{}", part(11, 16), part(8, 10), part(5, 7), part(0, 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_the_city_zone_with_weekday() {
        // 2026-12-01T01:30:00Z is 08:30 on Tuesday 1 December in Đà Nẵng.
        assert_eq!(when(1_796_088_600), "08:30 Thứ Ba 01/12/2026");
        // 2026-11-29T17:30:00Z is already Monday 30 November locally.
        assert_eq!(when(1_795_973_400), "00:30 Thứ Hai 30/11/2026");
    }
}
