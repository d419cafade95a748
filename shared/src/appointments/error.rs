//! Why an appointment request was refused, and how that looks at the edge
//! (SPEC §4, §9).

use std::fmt;

use serde_json::Value;

use super::status::Status;
use crate::error::ApiError;
use crate::identity::rfc3339_vn;
use crate::ports::StoreError;

/// A refusal of the appointments domain.
#[derive(Debug, Clone, PartialEq)]
pub enum ApptError {
    /// A field failed validation (422 `validation_failed`); `reason` is a
    /// short stable English note (`required`, `format`, `too_long`, …).
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    /// The caller may not do this (403), e.g. an official of another unit.
    Forbidden,
    /// 404 `service_not_found`.
    ServiceNotFound,
    /// 404 `slot_not_found`.
    SlotNotFound,
    /// 404 `appointment_not_found` — also for someone else's appointment.
    AppointmentNotFound,
    /// 404 `ticket_not_found`.
    TicketNotFound,
    /// 409 `slot_full`: no seat left.
    SlotFull { slot_id: String },
    /// 409 `slot_past`: the slot has already started.
    SlotPast { starts_at: i64 },
    /// 409 `already_booked`: an active booking for this service that day.
    AlreadyBooked {
        appointment_id: String,
        date: String,
    },
    /// 409 `slot_started`: too late to cancel or move.
    SlotStarted { starts_at: i64 },
    /// 409 `slot_not_ended`: too early for a no-show.
    SlotNotEnded { ends_at: i64 },
    /// 409 `invalid_status`: the appointment's status does not allow this.
    InvalidStatus { status: Status },
    /// 409 `already_checked_in`.
    AlreadyCheckedIn,
    /// 409 `outside_checkin_window`, with the window.
    OutsideCheckinWindow {
        starts_at: i64,
        opens_at: i64,
        closes_at: i64,
    },
    /// 422 `checkin_failed`: a kiosk check-in that did not check anyone in,
    /// whatever the reason (see `appointments::kiosk`).
    CheckinFailed,
    /// 429 `rate_limited`: the client used up its kiosk check-in allowance.
    RateLimited { retry_after: u64 },
    /// 409 `idempotency_key_reused`: the key was used for another slot.
    IdempotencyKeyReused,
    /// The database failed (503).
    Store(StoreError),
}

impl From<StoreError> for ApptError {
    fn from(e: StoreError) -> Self {
        ApptError::Store(e)
    }
}

impl fmt::Display for ApptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApptError::Store(e) => write!(f, "{e}"),
            other => write!(f, "{}", ApiError::from(other.clone())),
        }
    }
}

impl std::error::Error for ApptError {}

fn conflict(code: &'static str, fields: &[(&str, Value)]) -> ApiError {
    fields.iter().fold(ApiError::conflict(code), |e, (k, v)| {
        e.with_field(k, v.clone())
    })
}

impl From<ApptError> for ApiError {
    /// Store failures lose their message here; log them before converting.
    fn from(e: ApptError) -> ApiError {
        let at = |t: i64| Value::from(rfc3339_vn(t));
        match e {
            ApptError::Invalid { field, reason } => ApiError::invalid_field(field, reason),
            ApptError::Forbidden => ApiError::Forbidden,
            ApptError::ServiceNotFound => ApiError::NotFound {
                code: "service_not_found",
            },
            ApptError::SlotNotFound => ApiError::NotFound {
                code: "slot_not_found",
            },
            ApptError::AppointmentNotFound => ApiError::NotFound {
                code: "appointment_not_found",
            },
            ApptError::TicketNotFound => ApiError::NotFound {
                code: "ticket_not_found",
            },
            ApptError::SlotFull { slot_id } => conflict(
                "slot_full",
                &[("slot_id", slot_id.into()), ("remaining", 0.into())],
            ),
            ApptError::SlotPast { starts_at } => {
                conflict("slot_past", &[("starts_at", at(starts_at))])
            }
            ApptError::AlreadyBooked {
                appointment_id,
                date,
            } => conflict(
                "already_booked",
                &[
                    ("appointment_id", appointment_id.into()),
                    ("date", date.into()),
                ],
            ),
            ApptError::SlotStarted { starts_at } => {
                conflict("slot_started", &[("starts_at", at(starts_at))])
            }
            ApptError::SlotNotEnded { ends_at } => {
                conflict("slot_not_ended", &[("ends_at", at(ends_at))])
            }
            ApptError::InvalidStatus { status } => {
                conflict("invalid_status", &[("status", status.as_str().into())])
            }
            ApptError::AlreadyCheckedIn => ApiError::conflict("already_checked_in"),
            ApptError::OutsideCheckinWindow {
                starts_at,
                opens_at,
                closes_at,
            } => conflict(
                "outside_checkin_window",
                &[
                    ("starts_at", at(starts_at)),
                    ("opens_at", at(opens_at)),
                    ("closes_at", at(closes_at)),
                ],
            ),
            ApptError::IdempotencyKeyReused => ApiError::conflict("idempotency_key_reused"),
            ApptError::CheckinFailed => ApiError::Invalid {
                code: "checkin_failed",
                fields: serde_json::Map::new(),
            },
            ApptError::RateLimited { retry_after } => ApiError::RateLimited { retry_after },
            ApptError::Store(e) => ApiError::from(e),
        }
    }
}

/// The messages (vi, en) of the codes of booking and check-in; see
/// `crate::messages`.
pub const MESSAGES: &[crate::error::Message] = &[
    (
        "slot_full",
        "Khung giờ này đã hết chỗ. Vui lòng chọn khung giờ khác.",
        "This time slot is full. Please choose another one.",
    ),
    (
        "already_booked",
        "Bạn đã có lịch hẹn cho dịch vụ này trong ngày. Mỗi ngày chỉ được đặt một lịch cho một dịch vụ.",
        "You already have an appointment for this service that day. One booking per service per day.",
    ),
    (
        "slot_past",
        "Khung giờ này đã bắt đầu hoặc đã qua. Vui lòng chọn khung giờ khác.",
        "This time slot has already started. Please choose another one.",
    ),
    (
        "slot_started",
        "Lịch hẹn đã đến giờ nên không thể hủy hoặc đổi nữa.",
        "The appointment has started and can no longer be cancelled or moved.",
    ),
    (
        "outside_checkin_window",
        "Chỉ có thể xác nhận có mặt từ 30 phút trước đến 15 phút sau giờ hẹn (xem opens_at, closes_at).",
        "Check-in is open from 30 minutes before to 15 minutes after the appointment time (see opens_at, closes_at).",
    ),
    (
        "already_checked_in",
        "Vé này đã được xác nhận có mặt.",
        "This ticket has already been checked in.",
    ),
    (
        "appointment_not_found",
        "Không tìm thấy lịch hẹn.",
        "Appointment not found.",
    ),
    (
        "ticket_not_found",
        "Không tìm thấy vé với mã này.",
        "No ticket with this code.",
    ),
    (
        "checkin_failed",
        "Không xác nhận có mặt được với mã vé này. Vui lòng kiểm tra lại mã và giờ hẹn (từ 30 phút trước đến 15 phút sau giờ hẹn), hoặc hỏi quầy hướng dẫn.",
        "This ticket code could not be checked in. Check the code and your appointment time (from 30 minutes before to 15 minutes after), or ask at the desk.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_map_to_spec_statuses_and_codes() {
        let cases = [
            (
                ApptError::SlotFull {
                    slot_id: "s".into(),
                },
                409,
                "slot_full",
            ),
            (
                ApptError::AlreadyBooked {
                    appointment_id: "a".into(),
                    date: "2026-12-01".into(),
                },
                409,
                "already_booked",
            ),
            (ApptError::AppointmentNotFound, 404, "appointment_not_found"),
            (ApptError::Forbidden, 403, "forbidden"),
            (
                ApptError::Invalid {
                    field: "slot_id",
                    reason: "required",
                },
                422,
                "validation_failed",
            ),
            (
                ApptError::Store(StoreError::Unavailable("x".into())),
                503,
                "store_unavailable",
            ),
            (ApptError::CheckinFailed, 422, "checkin_failed"),
            (
                ApptError::RateLimited { retry_after: 5 },
                429,
                "rate_limited",
            ),
        ];
        for (e, status, code) in cases {
            let api = ApiError::from(e);
            assert_eq!((api.status(), api.code()), (status, code));
        }
    }

    #[test]
    fn the_user_facing_refusals_have_their_own_nfc_messages() {
        use crate::lang::Lang;
        let generic = ApiError::conflict("conflict").message(Lang::Vi);
        for e in [
            ApptError::AlreadyBooked {
                appointment_id: "a".into(),
                date: "d".into(),
            },
            ApptError::SlotPast { starts_at: 0 },
            ApptError::SlotStarted { starts_at: 0 },
            ApptError::AlreadyCheckedIn,
            ApptError::OutsideCheckinWindow {
                starts_at: 0,
                opens_at: 0,
                closes_at: 0,
            },
            ApptError::CheckinFailed,
        ] {
            let api = ApiError::from(e);
            let (vi, en) = (api.message(Lang::Vi), api.message(Lang::En));
            assert_ne!(vi, generic, "{}", api.code());
            assert!(
                unicode_normalization::is_nfc(vi) && !en.is_empty(),
                "{}",
                api.code()
            );
        }
        let window = ApiError::from(ApptError::OutsideCheckinWindow {
            starts_at: 0,
            opens_at: 0,
            closes_at: 0,
        });
        assert!(window
            .message(Lang::En)
            .contains("30 minutes before to 15 minutes after"));
    }

    #[test]
    fn the_checkin_window_is_in_the_fields_in_local_time() {
        let api = ApiError::from(ApptError::OutsideCheckinWindow {
            starts_at: 1_796_086_800,
            opens_at: 1_796_085_000,
            closes_at: 1_796_087_700,
        });
        let f = api.fields();
        assert_eq!(f["opens_at"], "2026-12-01T07:30:00+07:00");
        assert_eq!(f["closes_at"], "2026-12-01T08:15:00+07:00");
        assert_eq!(f["starts_at"], "2026-12-01T08:00:00+07:00");
    }
}
