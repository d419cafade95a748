//! Demo appointment slots (docs/settings.md): a week of slots, from today, at the
//! `kham-noi` clinic and the `cap-cccd` counter, created the way a desk would
//! create them: the service's official logs in by one-time code (read from
//! the development outbox) and calls the bulk schedule API.
//!
//! Idempotent twice over: a service whose last day already has slots is
//! skipped without logging anyone in (so a re-run within the one-time code
//! resend cooldown does not trip it), and the bulk API itself skips slots
//! that exist.

use anyhow::Result;
use serde_json::json;

use crate::api::unexpected;
use cds_shared::appointments::local_date::LocalDate;

use crate::demo::Seeder;

/// Days of slots, today included.
const DAYS: i64 = 7;

/// A desk to fill: its service, the official who runs it (one of
/// `demo::OFFICIALS`, of the service's unit), opening hours as (start, end)
/// in +07:00, minutes per slot and seats per slot.
struct Desk {
    service: &'static str,
    official: &'static str,
    hours: &'static [(&'static str, &'static str)],
    interval_minutes: u32,
    capacity: u32,
}

const DESKS: &[Desk] = &[
    Desk {
        service: "kham-noi",
        official: "+84905000002",
        hours: &[("07:30", "11:30"), ("13:30", "16:30")],
        interval_minutes: 30,
        capacity: 4,
    },
    Desk {
        service: "cap-cccd",
        official: "+84905000003",
        hours: &[("07:30", "11:30"), ("13:30", "17:00")],
        interval_minutes: 15,
        capacity: 2,
    },
];

/// The seeding step: one week of slots per desk.
pub fn slots(s: &Seeder<'_>) -> Result<()> {
    let (today, last) = (local_date(0), local_date(DAYS - 1));
    for desk in DESKS {
        let what = format!("slots {} {today}…{last}", desk.service);
        let probe = s.api.get(&format!(
            "/api/v1/appointments/slots?service={}&from={last}&to={last}&limit=1",
            desk.service
        ))?;
        match probe.status {
            200 => {}
            404 | 405 => {
                println!("  {what}: skipped, appointments are not deployed yet");
                continue;
            }
            _ => return Err(unexpected("GET /api/v1/appointments/slots", &probe)),
        }
        if probe.body["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
        {
            println!("  {what}: already there");
            continue;
        }
        let Some(token) = s.session(desk.official, &what)? else {
            continue;
        };
        let mut created = 0;
        for (start, end) in desk.hours {
            let body = json!({
                "service_code": desk.service,
                "date_from": today,
                "date_to": last,
                "day_start": start,
                "day_end": end,
                "interval_minutes": desk.interval_minutes,
                "capacity": desk.capacity,
            });
            let reply = s
                .api
                .post("/api/v1/appointments/slots", &body, Some(&token))?;
            if !matches!(reply.status, 200 | 201) {
                return Err(unexpected("POST /api/v1/appointments/slots", &reply));
            }
            created += reply.body["created"].as_u64().unwrap_or(0);
        }
        println!("  {what}: {created} created by official {}", desk.official);
    }
    Ok(())
}

/// `YYYY-MM-DD` in Asia/Ho_Chi_Minh (a fixed +07:00), `offset` days from today.
fn local_date(offset: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    LocalDate::of_instant(now + offset * 86_400).to_string()
}
