//! Native tests of the alert rules against the shipped migrations on
//! SQLite and, with `CDS_TEST_SQL=postgres`, on PostgreSQL: who gets an
//! alert, what updates and cancels do, who may publish, what bad input
//! loses (nothing), and what the CAP document says.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod chain_tests;
mod draft_tests;
mod fan_out_tests;
mod xml_tests;

use crate::alerts::draft::DraftInput;
use crate::alerts::publish::{self, Ports};
use crate::alerts::{publishers, Message};
use crate::phone::Phone;
use crate::ports::Clock;
use crate::testing::World;

/// The ports of `w`.
fn ports(w: &World) -> Ports<'_> {
    Ports {
        sql: &w.db,
        clock: &w.clock,
        random: &w.random,
    }
}

/// An official of the city's civil-defence unit holding the alerts role.
fn publisher(w: &World) -> String {
    let id = w.official("0905800800", "pctt");
    publishers::grant(&w.db, &Phone::parse("0905800800").unwrap(), w.clock.now()).unwrap();
    id
}

/// A citizen living at `address` (`None`: no address given).
fn resident(w: &World, phone: &str, address: Option<&str>) -> String {
    let id = w.citizen(phone, "Nguyễn Văn An");
    if let Some(a) = address {
        w.db.raw(&format!(
            "UPDATE citizens SET address = '{}' WHERE id = '{id}'",
            a.replace('\'', "''")
        ));
    }
    id
}

/// A flood warning for `areas`, in force for a day.
fn flood(areas: &[&str]) -> DraftInput {
    DraftInput {
        category: Some("Met".into()),
        event: Some("Ngập lụt".into()),
        urgency: Some("Immediate".into()),
        severity: Some("Severe".into()),
        certainty: Some("Likely".into()),
        expires: Some("2026-11-30T14:05:00+07:00".into()),
        headline: Some("Cảnh báo ngập lụt".into()),
        description: Some("Mưa lớn kéo dài, nước sông Hàn dâng cao.".into()),
        instruction: Some("Di chuyển xe và tài sản lên cao.".into()),
        areas: Some(areas.iter().map(|a| (*a).to_owned()).collect()),
        ..DraftInput::default()
    }
}

/// Publishes `input` as the publisher `by`.
fn publish_as(w: &World, by: &str, input: &DraftInput) -> Message {
    publish::publish(&ports(w), by, input).unwrap()
}

/// The accounts that got a notice about `alert_id`, sorted.
fn notified(w: &World, alert_id: &str) -> Vec<String> {
    w.db.execute_rows(&format!(
        "SELECT DISTINCT account_id FROM notifications \
         WHERE kind = 'alert' AND ref_id = '{alert_id}' ORDER BY account_id"
    ))
}

/// How many notices about `alert_id` are in `account`'s inbox.
fn notices_of(w: &World, account: &str, alert_id: &str) -> i64 {
    w.db.scalar(&format!(
        "SELECT count(*) FROM notifications \
         WHERE kind = 'alert' AND ref_id = '{alert_id}' AND account_id = '{account}'"
    ))
}

trait Rows {
    fn execute_rows(&self, sql: &str) -> Vec<String>;
}

impl Rows for crate::testing::TestDb {
    fn execute_rows(&self, sql: &str) -> Vec<String> {
        use crate::ports::Sql;
        let rows = self.execute(sql, &[]).unwrap();
        let mut out: Vec<String> = rows
            .rows
            .iter()
            .filter_map(|r| r.first().and_then(|v| v.as_str()).map(str::to_owned))
            .collect();
        out.sort();
        out
    }
}
