//! A notice's title, body and link in the citizen's language, made from the
//! facts its trigger stored (docs/notifications.md, "Wording").
//!
//! The words are chosen when the notice is read or sent, not when it is
//! written, so a citizen who switches to English reads their whole inbox in
//! English, and the triggers store only facts.

use super::{Kind, Notice};
use crate::identity::rfc3339_vn;
use crate::lang::Lang;

/// What the citizen reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    /// One line.
    pub title: String,
    /// One or two sentences.
    pub body: String,
    /// The API path of what it is about.
    pub link: String,
}

/// `08:30 09/12/2026` (local time, Asia/Ho_Chi_Minh).
pub fn local_time(unix_seconds: i64) -> String {
    let s = rfc3339_vn(unix_seconds);
    // "YYYY-MM-DDTHH:MM:SS+07:00"
    match (s.get(0..4), s.get(5..7), s.get(8..10), s.get(11..16)) {
        (Some(y), Some(m), Some(d), Some(hm)) => format!("{hm} {d}/{m}/{y}"),
        _ => s,
    }
}

fn feedback_status(status: &str, lang: Lang) -> &'static str {
    match (status, lang) {
        ("received", Lang::Vi) => "đã tiếp nhận",
        ("in_progress", Lang::Vi) => "đang xử lý",
        ("resolved", Lang::Vi) => "đã giải quyết",
        ("rejected", Lang::Vi) => "không được xử lý",
        ("received", Lang::En) => "received",
        ("in_progress", Lang::En) => "in progress",
        ("resolved", Lang::En) => "resolved",
        ("rejected", Lang::En) => "declined",
        (_, Lang::Vi) => "đã thay đổi",
        (_, Lang::En) => "changed",
    }
}

fn client_name(client: &str, lang: Lang) -> &str {
    match (client, lang) {
        ("web", Lang::Vi) => "trình duyệt web",
        ("web", Lang::En) => "a web browser",
        ("kiosk", Lang::Vi) => "kiosk",
        ("kiosk", Lang::En) => "a kiosk",
        ("zalo", _) => "Zalo",
        (other, _) => other,
    }
}

/// The wording of `n` in `lang`.
pub fn wording(n: &Notice, lang: Lang) -> Wording {
    let subject = n.subject.as_deref().unwrap_or("");
    let detail = n.detail.as_deref().unwrap_or("");
    let note = n.note.as_deref().unwrap_or("");
    let when = n.at_time.map(local_time).unwrap_or_default();
    let vi = lang == Lang::Vi;
    let (title, body, link) = match n.kind {
        Kind::AppointmentBooked => (
            pick(vi, "Đã đặt lịch hẹn", "Appointment booked"),
            pick_s(
                vi,
                format!("{subject}, lúc {when}. Mã lịch hẹn: {detail}."),
                format!("{subject}, at {when}. Ticket: {detail}."),
            ),
            appointment_link(n),
        ),
        Kind::AppointmentRescheduled => (
            pick(vi, "Lịch hẹn đã được dời", "Appointment moved"),
            pick_s(
                vi,
                format!("{subject}: giờ hẹn mới {when}. Mã lịch hẹn: {detail}."),
                format!("{subject}: new time {when}. Ticket: {detail}."),
            ),
            appointment_link(n),
        ),
        Kind::AppointmentCancelled => (
            pick(vi, "Lịch hẹn đã bị hủy", "Appointment cancelled"),
            pick_s(
                vi,
                format!("{subject}, lúc {when} (mã {detail}) đã bị hủy."),
                format!("{subject} at {when} (ticket {detail}) is cancelled."),
            ),
            appointment_link(n),
        ),
        Kind::AppointmentReminder => (
            pick(vi, "Nhắc lịch hẹn ngày mai", "Your appointment is tomorrow"),
            pick_s(
                vi,
                format!("{subject}, lúc {when}. Mang theo mã lịch hẹn {detail}."),
                format!("{subject}, at {when}. Bring your ticket {detail}."),
            ),
            appointment_link(n),
        ),
        Kind::CheckinOpen => (
            pick(vi, "Đã có thể check-in", "Check-in is open"),
            pick_s(
                vi,
                format!("{subject}, lúc {when}: check-in tại quầy hoặc kiosk bằng mã {detail}."),
                format!("{subject}, at {when}: check in at the desk or a kiosk with ticket {detail}."),
            ),
            appointment_link(n),
        ),
        Kind::FeedbackStatus => (
            pick_s(
                vi,
                format!("Phản ánh {subject} {}", feedback_status(detail, lang)),
                format!("Report {subject} {}", feedback_status(detail, lang)),
            ),
            answer_or(vi, note, "Xem chi tiết xử lý trong ứng dụng.", "See how it is handled in the app."),
            feedback_link(n),
        ),
        Kind::FeedbackRate => (
            pick(vi, "Đánh giá mức độ hài lòng", "Rate how it was handled"),
            pick_s(
                vi,
                format!("Phản ánh {subject} đã được giải quyết. Bạn có hài lòng với cách xử lý không?"),
                format!("Report {subject} is resolved. Were you satisfied with how it was handled?"),
            ),
            format!("/api/v1/feedback/{}/rating", n.ref_id),
        ),
        Kind::DocumentIssued => (
            pick(vi, "Giấy tờ mới trong kho dữ liệu", "New document in your vault"),
            pick_s(
                vi,
                format!("Cơ quan cấp đã gửi “{subject}” vào kho dữ liệu của bạn."),
                format!("The issuing agency placed “{subject}” in your vault."),
            ),
            document_link(n),
        ),
        Kind::DocumentRevoked => (
            pick(vi, "Giấy tờ đã bị thu hồi", "Document revoked"),
            pick_s(
                vi,
                format!("“{subject}” đã bị cơ quan cấp thu hồi và không còn hiệu lực."),
                format!("“{subject}” was revoked by the issuing agency and is no longer valid."),
            ),
            document_link(n),
        ),
        Kind::ShareUsed => (
            pick(vi, "Liên kết chia sẻ vừa được mở", "Your share link was opened"),
            pick_s(
                vi,
                format!("“{subject}” vừa được xem qua liên kết chia sẻ (mục đích: {detail})."),
                format!("“{subject}” was just viewed through your share link (purpose: {detail})."),
            ),
            "/api/v1/shares".to_owned(),
        ),
        Kind::SecurityLogin => (
            pick(vi, "Đăng nhập từ thiết bị mới", "Login from a new device"),
            pick_s(
                vi,
                format!(
                    "Tài khoản của bạn vừa đăng nhập trên {}. Nếu không phải bạn, hãy kết thúc phiên đó trong mục Phiên đăng nhập.",
                    client_name(detail, lang)
                ),
                format!(
                    "Your account just logged in on {}. If this was not you, end that session under Sessions.",
                    client_name(detail, lang)
                ),
            ),
            "/api/v1/auth/sessions".to_owned(),
        ),
        Kind::Alert => (
            subject.to_owned(),
            note.to_owned(),
            format!("/api/v1/alerts/{}", n.ref_id),
        ),
    };
    Wording { title, body, link }
}

fn pick(vi: bool, in_vi: &str, in_en: &str) -> String {
    if vi { in_vi } else { in_en }.to_owned()
}

fn pick_s(vi: bool, in_vi: String, in_en: String) -> String {
    if vi {
        in_vi
    } else {
        in_en
    }
}

/// The official's answer when there is one, quoted; else the fallback.
fn answer_or(vi: bool, note: &str, in_vi: &str, in_en: &str) -> String {
    match (note.trim(), vi) {
        ("", _) => pick(vi, in_vi, in_en),
        (answer, true) => format!("Trả lời: {answer}"),
        (answer, false) => format!("Answer: {answer}"),
    }
}

fn appointment_link(n: &Notice) -> String {
    format!("/api/v1/appointments/{}", n.ref_id)
}

fn feedback_link(n: &Notice) -> String {
    format!("/api/v1/feedback/{}", n.ref_id)
}

fn document_link(n: &Notice) -> String {
    format!("/api/v1/documents/{}", n.ref_id)
}
