//! Demo feedback of docs/feedback.md and docs/settings.md: the demo citizen's reports in every status
//! — one resolved and rated, one rejected, one in progress, one just
//! received — plus one anonymous report, all sent and handled through the
//! public API the way the citizen and an official would.
//!
//! Runs inside the demo citizen's sign-up session ([`reports`], called by
//! the citizen step): logging the citizen in again would hit the one-minute
//! resend cooldown of one-time codes. The handling official is the Trung
//! tâm Hành chính công's (public services, "other"), through the seeder's
//! shared session for that phone (the appointments step uses it too); the
//! other official who handles a category (UBND quận Hải Châu) is left for
//! people to log in right after seeding.
//!
//! Idempotent: when the demo citizen already has feedback, nothing is sent.
//! Skipped, not failed, while feedback is not deployed; reports stay
//! "received" when the official cannot log in (dev outbox off, quotas).

use anyhow::{bail, Context, Result};
use reqwest::blocking::{Client, RequestBuilder};
use serde_json::{json, Value};

use crate::demo::{Seeder, OFFICIALS};

/// The handling official's unit: it handles `public-services` and `other`.
const HANDLER_UNIT: &str = "trung-tam-hcc";

/// What happens to a demo report after it is sent.
enum Fate {
    Received,
    InProgress,
    Resolved {
        response: &'static str,
        score: i64,
        comment: &'static str,
    },
    Rejected {
        response: &'static str,
    },
}

struct Report {
    category: &'static str,
    title: &'static str,
    content: &'static str,
    lat: f64,
    lng: f64,
    address: &'static str,
    fate: Fate,
}

const REPORTS: &[Report] = &[
    Report {
        category: "public-services",
        title: "Chờ quá lâu ở bộ phận một cửa",
        content: "Sáng thứ Hai tôi chờ hơn hai tiếng để nộp hồ sơ đăng ký hộ kinh doanh, máy lấy số bị hỏng nên người dân phải xếp hàng.",
        lat: 16.077_31,
        lng: 108.223_52,
        address: "24 Trần Phú, Thạch Thang, Hải Châu, Đà Nẵng",
        fate: Fate::Resolved {
            response: "Trung tâm đã thay máy lấy số và bố trí thêm một quầy tiếp nhận vào sáng thứ Hai. Xin cảm ơn ông đã phản ánh.",
            score: 5,
            comment: "Lần sau đến chỉ chờ 15 phút. Cảm ơn trung tâm!",
        },
    },
    Report {
        category: "public-services",
        title: "Hồ sơ cấp đổi căn cước trễ hẹn",
        content: "Phiếu hẹn ghi ngày trả kết quả đã qua một tuần nhưng tôi chưa nhận được thẻ căn cước.",
        lat: 16.077_31,
        lng: 108.223_52,
        address: "24 Trần Phú, Thạch Thang, Hải Châu, Đà Nẵng",
        fate: Fate::Rejected {
            response: "Việc cấp thẻ căn cước do Công an thành phố thực hiện; Trung tâm đã chuyển phản ánh đến Phòng Cảnh sát QLHC về TTXH để trả lời ông.",
        },
    },
    Report {
        category: "other",
        title: "Wifi miễn phí tại Trung tâm Hành chính công không truy cập được",
        content: "Mạng wifi dành cho người dân báo kết nối nhưng không vào được trang dịch vụ công.",
        lat: 16.077_31,
        lng: 108.223_52,
        address: "Trần Phú, Hải Châu, Đà Nẵng",
        fate: Fate::InProgress,
    },
    Report {
        category: "environment",
        title: "Rác thải tồn đọng ven sông Hàn",
        content: "Rác sinh hoạt dồn thành đống ở bờ kè gần cầu Rồng, chưa được thu gom hai ngày.",
        lat: 16.061_20,
        lng: 108.226_80,
        address: "Bạch Đằng, Hải Châu, Đà Nẵng",
        fate: Fate::Received,
    },
];

/// Sent without logging in.
const ANONYMOUS: Report = Report {
    category: "traffic",
    title: "Đèn tín hiệu giao thông không hoạt động",
    content: "Đèn tín hiệu tại ngã tư Nguyễn Văn Linh – Hàm Nghi tắt từ sáng, xe cộ đi lộn xộn.",
    lat: 16.060_15,
    lng: 108.211_03,
    address: "Nguyễn Văn Linh, Thạc Gián, Thanh Khê, Đà Nẵng",
    fate: Fate::Received,
};

/// Sends the demo reports with the demo citizen's session `citizen`, has
/// the official handle them, and rates the resolved one.
pub fn reports(s: &Seeder<'_>, citizen: &str) -> Result<()> {
    let http = Http {
        client: Client::new(),
        s,
    };
    if http
        .send(http.client.get(s.api.url("/api/v1/feedback/categories")))?
        .0
        != 200
    {
        println!("  feedback: skipped, the feedback component is not deployed yet");
        return Ok(());
    }
    let mine = http.send(
        http.client
            .get(s.api.url("/api/v1/me/feedback"))
            .bearer_auth(citizen),
    )?;
    if mine.1["items"]
        .as_array()
        .is_some_and(|items| !items.is_empty())
    {
        println!("  feedback: the demo citizen's reports are already there");
        return Ok(());
    }
    let handler = match OFFICIALS.iter().find(|p| p.unit == Some(HANDLER_UNIT)) {
        Some(p) => s.session(p.phone, "feedback")?,
        None => None,
    };
    for r in REPORTS {
        let (id, code) = http.submit(Some(citizen), r)?;
        let outcome = match (&r.fate, &handler) {
            (Fate::Received, _) => "received".to_owned(),
            (_, None) => "received (no official logged in to handle it)".to_owned(),
            (fate, Some(official)) => http.handle(citizen, official, &id, fate)?,
        };
        println!("  feedback {code}: {outcome}");
    }
    let (_, code) = http.submit(None, &ANONYMOUS)?;
    println!("  feedback {code}: received (anonymous)");
    Ok(())
}

struct Http<'a> {
    client: Client,
    s: &'a Seeder<'a>,
}

impl Http<'_> {
    fn send(&self, rb: RequestBuilder) -> Result<(u16, Value)> {
        let resp = rb.send().context("request to the app failed")?;
        let status = resp.status().as_u16();
        let body = serde_json::from_slice(&resp.bytes().context("reading the app's reply")?)
            .unwrap_or(Value::Null);
        Ok((status, body))
    }

    fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Result<(u16, Value)> {
        let mut rb = self.client.post(self.s.api.url(path)).json(body);
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        self.send(rb)
    }

    /// Sends a report; (id, tracking code).
    fn submit(&self, token: Option<&str>, r: &Report) -> Result<(String, String)> {
        let body = json!({
            "category": r.category,
            "title": r.title,
            "content": r.content,
            "location": {"lat": r.lat, "lng": r.lng, "address": r.address},
        });
        let (status, created) = self.post("/api/v1/feedback", token, &body)?;
        if status != 201 {
            bail!(
                "POST /api/v1/feedback ({}): status {status} {}",
                r.title,
                created["error"]
            );
        }
        let id = created["id"].as_str().context("no id")?.to_owned();
        let code = created["tracking_code"]
            .as_str()
            .context("no tracking_code")?
            .to_owned();
        Ok((id, code))
    }

    fn set_status(
        &self,
        official: &str,
        id: &str,
        status: &str,
        response: Option<&str>,
    ) -> Result<()> {
        let rb = self
            .client
            .patch(self.s.api.url(&format!("/api/v1/feedback/{id}")))
            .bearer_auth(official)
            .json(&json!({"status": status, "response": response}));
        match self.send(rb)? {
            (200, _) => Ok(()),
            (other, body) => bail!(
                "PATCH /api/v1/feedback/{id} → {status}: status {other} {}",
                body["error"]
            ),
        }
    }

    /// Moves a report to its fate (and rates it when resolved).
    fn handle(&self, citizen: &str, official: &str, id: &str, fate: &Fate) -> Result<String> {
        self.set_status(
            official,
            id,
            "in_progress",
            Some("Trung tâm đã tiếp nhận và đang kiểm tra."),
        )?;
        match fate {
            Fate::Received | Fate::InProgress => Ok("in progress".to_owned()),
            Fate::Rejected { response } => {
                self.set_status(official, id, "rejected", Some(response))?;
                Ok("rejected".to_owned())
            }
            Fate::Resolved {
                response,
                score,
                comment,
            } => {
                self.set_status(official, id, "resolved", Some(response))?;
                let path = format!("/api/v1/feedback/{id}/rating");
                let (status, _) = self.post(
                    &path,
                    Some(citizen),
                    &json!({"score": score, "comment": comment}),
                )?;
                if status != 201 {
                    bail!("POST {path}: status {status}");
                }
                Ok(format!("resolved and rated {score}/5"))
            }
        }
    }
}
