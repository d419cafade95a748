//! The demo's official alert (docs/alerts.md): the demo official of UBND
//! quận Hải Châu gets the `alerts` role and publishes an active flood
//! warning for the district, where the demo citizen lives (their address
//! is in Thạch Thang, Hải Châu), so the citizen's inbox and the kiosk's
//! home screen show it. Skipped while the notify component is not
//! deployed; a second run finds the alert in force and leaves it.

use anyhow::{Context, Result};
use serde_json::{json, Value};

use crate::api::unexpected;
use crate::demo::{Seeder, OFFICIALS};

/// The district the demo alert is for.
pub const DISTRICT: &str = "hai-chau";

/// How long the demo alert stays in force.
const DAYS: i64 = 3;

fn in_days(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    cds_shared::local_time::rfc3339_vn(now + days * 86_400)
}

fn is_demo_flood(alert: &Value) -> bool {
    alert["event"] == "Ngập lụt"
        && alert["areas"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["code"] == DISTRICT))
}

/// The step.
pub fn flood(s: &Seeder<'_>) -> Result<()> {
    let Some(official) = OFFICIALS.first() else {
        return Ok(());
    };
    let granted = s.api.admin_post(
        "/api/v1/admin/alert-publishers",
        &json!({ "phone": official.phone }),
    )?;
    match granted.status {
        200 => println!("  alerts role: {} may publish alerts", official.phone),
        404 | 405 if granted.error_code() != "official_not_found" => {
            println!("  alert: skipped, notify is not deployed yet");
            return Ok(());
        }
        _ => return Err(unexpected("POST /api/v1/admin/alert-publishers", &granted)),
    }
    let feed = s.api.get(&format!("/api/v1/alerts?area={DISTRICT}"))?;
    if feed.status != 200 {
        return Err(unexpected("GET /api/v1/alerts", &feed));
    }
    let items = feed.body["items"].as_array().cloned().unwrap_or_default();
    if items.iter().any(is_demo_flood) {
        println!("  flood alert for Hải Châu: already there");
        return Ok(());
    }
    let Some(token) = s.session(official.phone, "flood alert")? else {
        return Ok(());
    };
    let published = s.api.post(
        "/api/v1/officials/alerts",
        &json!({
            "category": "Met",
            "event": "Ngập lụt",
            "urgency": "Expected",
            "severity": "Severe",
            "certainty": "Likely",
            "expires": in_days(DAYS),
            "headline": "Cảnh báo ngập lụt tại quận Hải Châu",
            "description": "Mưa lớn kéo dài kết hợp triều cường, nước sông Hàn dâng cao; \
                            nhiều tuyến đường trũng thấp có thể ngập 0,3–0,5 m.",
            "instruction": "Hạn chế đi qua các tuyến đường ngập, di chuyển xe và tài sản \
                            lên cao, theo dõi thông tin từ chính quyền. Khẩn cấp gọi 112.",
            "areas": [DISTRICT],
        }),
        Some(&token),
    )?;
    if published.status != 201 {
        return Err(unexpected("POST /api/v1/officials/alerts", &published));
    }
    let id = published.body["id"]
        .as_str()
        .context("the alert reply has no id")?;
    println!("  flood alert for Hải Châu: published ({id}, in force {DAYS} days)");
    Ok(())
}
