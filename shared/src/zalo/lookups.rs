//! The commands that read or write other capabilities' data for a linked
//! citizen: upcoming appointments (docs/appointments.md) and filing feedback (docs/feedback.md).

use super::bot::{BotPorts, Outcome};
use super::texts;
use crate::appointments::mine::{list_mine, Which};
use crate::appointments::{ApptError, Status};
use crate::feedback::{
    submit, validate, Draft, FeedbackError, FeedbackPolicy, LocationDraft, Submitter,
};
use crate::identity::{rfc3339_vn, Account};
use crate::ports::{Sql, StoreError};

/// Most appointments listed in the chat; more than this is not a chat answer.
pub const MAX_LISTED: usize = 100;

/// One line per upcoming appointment of the citizen (booked or arrived, not
/// yet over), soonest first, through the appointments domain's own list.
pub fn upcoming_appointments(
    sql: &dyn Sql,
    citizen_id: &str,
    now: i64,
) -> Result<Vec<String>, StoreError> {
    let limit = u32::try_from(MAX_LISTED).unwrap_or(100) + 1;
    let bookings =
        list_mine(sql, citizen_id, Which::Upcoming { now }, None, limit).map_err(|e| match e {
            ApptError::Store(s) => s,
            other => StoreError::Unavailable(format!("listing appointments: {other}")),
        })?;
    let mut lines: Vec<String> = bookings
        .iter()
        .take(MAX_LISTED)
        .map(|b| {
            let state = if b.status == Status::Arrived {
                " (đã check-in)"
            } else {
                ""
            };
            format!(
                "• {} — {} ({}) — mã vé {}{state}",
                when(b.slot.starts_at),
                b.service.name,
                b.service.address,
                b.ticket_code
            )
        })
        .collect();
    if bookings.len() > MAX_LISTED {
        lines.push(format!("(Chỉ hiển thị {MAX_LISTED} lịch hẹn gần nhất.)"));
    }
    Ok(lines)
}

/// The category chat feedback is filed under: a chat message names no
/// category, and "other" is one of the seeded ones (docs/feedback.md); officials
/// of its unit re-route it if needed.
pub const FEEDBACK_CATEGORY: &str = "other";

/// A chat message carries no location; feedback needs one, so it gets the
/// centre of Đà Nẵng (the People's Committee, 24 Trần Phú) and no address.
pub const CITY_CENTRE: (f64, f64) = (16.0678, 108.2208);

/// Longest title taken from the start of the message, in characters.
const TITLE_CHARS: usize = 80;

/// Files `content` as feedback of the linked citizen, through the feedback
/// domain (its validation and per-citizen quota), and answers with the
/// tracking code.
pub fn file_feedback(
    ports: BotPorts<'_>,
    account: &Account,
    content: &str,
) -> Result<Outcome, StoreError> {
    let draft = Draft {
        category: FEEDBACK_CATEGORY.to_owned(),
        title: title_of(content),
        content: content.to_owned(),
        location: LocationDraft {
            lat: CITY_CENTRE.0,
            lng: CITY_CENTRE.1,
            address: None,
        },
        anonymous: false,
        media_url: None,
    };
    let policy = FeedbackPolicy::from_settings(ports.core.settings);
    let submitted = validate(&draft).and_then(|valid| {
        submit(
            ports.identity(),
            &policy,
            Submitter::Citizen {
                account_id: &account.id,
            },
            &valid,
        )
    });
    match submitted {
        Ok(created) => Ok(Outcome::say(texts::feedback_filed(&created.tracking_code))),
        Err(FeedbackError::RateLimited { retry_after }) => Ok(Outcome::say(texts::feedback_rate_limited(retry_after))),
        Err(FeedbackError::Store(e)) => Err(e),
        Err(FeedbackError::Invalid(fields)) if fields.iter().any(|(f, _)| *f == "category") => {
            Ok(Outcome::say(texts::FEEDBACK_UNAVAILABLE)
                .note(format!("feedback category `{FEEDBACK_CATEGORY}` is missing: seed it to accept chat feedback")))
        }
        Err(FeedbackError::Invalid(_)) => Ok(Outcome::say(texts::FEEDBACK_INVALID)),
        Err(other) => Ok(Outcome::say(texts::BUSY).note(format!("feedback not filed: {other}"))),
    }
}

/// The first words of the message, within [`TITLE_CHARS`], on one line.
fn title_of(content: &str) -> String {
    let line = content
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    if line.chars().count() <= TITLE_CHARS {
        return line.to_owned();
    }
    let cut: String = line.chars().take(TITLE_CHARS - 1).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > TITLE_CHARS / 2 => cut.get(..i).unwrap_or(&cut).to_owned(),
        _ => cut,
    };
    format!("{}…", cut.trim_end())
}

/// `08:30 Thứ Hai 01/12/2026` in the city's time.
pub fn when(unix_seconds: i64) -> String {
    // rfc3339_vn gives "YYYY-MM-DDTHH:MM:SS+07:00".
    let stamp = rfc3339_vn(unix_seconds);
    let part = |a: usize, b: usize| stamp.get(a..b).unwrap_or_default();
    let local_days = crate::local_time::local_days(unix_seconds);
    // 1970-01-01 was a Thursday.
    let weekday = [
        "Thứ Năm",
        "Thứ Sáu",
        "Thứ Bảy",
        "Chủ nhật",
        "Thứ Hai",
        "Thứ Ba",
        "Thứ Tư",
    ][usize::try_from(local_days.rem_euclid(7)).unwrap_or(0)];
    format!(
        "{} {weekday} {}/{}/{}",
        part(11, 16),
        part(8, 10),
        part(5, 7),
        part(0, 4)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_the_first_words_of_the_message() {
        assert_eq!(title_of("Đèn đường hỏng\nở Bạch Đằng"), "Đèn đường hỏng");
        let long = "rác ".repeat(40);
        let t = title_of(&long);
        assert!(
            t.chars().count() <= TITLE_CHARS && t.ends_with("rác…"),
            "{t}"
        );
    }

    #[test]
    fn times_read_in_the_city_zone_with_weekday() {
        // 2026-12-01T01:30:00Z is 08:30 on Tuesday 1 December in Đà Nẵng.
        assert_eq!(when(1_796_088_600), "08:30 Thứ Ba 01/12/2026");
        // 2026-11-29T17:30:00Z is already Monday 30 November locally.
        assert_eq!(when(1_795_973_400), "00:30 Thứ Hai 30/11/2026");
    }
}
