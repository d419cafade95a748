//! Development outbox (docs/settings.md): codes are written to `dev_outbox` where a
//! developer, a demo kiosk or a black-box test reads them back.
//!
//! Only ever chosen when `dev_mode=true` (see [`super::choose_sender`]); the
//! component must also answer 404 on the outbox route otherwise.

use super::{store, DeliveryError, OtpMessage, OtpSender};
use crate::ports::{Clock, Sql, StoreError};

/// Most items [`list_outbox`] returns.
const MAX_LIST: i64 = 100;

/// Writes codes into `dev_outbox` instead of sending them.
pub struct Outbox<'a> {
    /// Where the outbox rows go.
    pub sql: &'a dyn Sql,
    /// Stamps `sent_at`.
    pub clock: &'a dyn Clock,
}

impl<'a> Outbox<'a> {
    /// The outbox on these ports.
    pub fn new(sql: &'a dyn Sql, clock: &'a dyn Clock) -> Outbox<'a> {
        Outbox { sql, clock }
    }
}

impl OtpSender for Outbox<'_> {
    fn deliver(&self, msg: &OtpMessage) -> Result<(), DeliveryError> {
        store::insert(self.sql, msg, self.clock.now()).map_err(DeliveryError::Store)
    }
}

/// One delivered code, as `GET /api/v1/dev/outbox` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    /// E.164.
    pub phone: String,
    /// `"sms"` or `"zalo"`.
    pub channel: String,
    /// The SMS wording (with the code).
    pub text: String,
    /// The code, so tests and the demo can read it.
    pub code: String,
    /// Unix seconds.
    pub sent_at: i64,
}

/// Codes sent to `phone_e164`, newest first; `limit` is clamped to 1..=100.
pub fn list_outbox(
    sql: &dyn Sql,
    phone_e164: &str,
    limit: u32,
) -> Result<Vec<OutboxItem>, StoreError> {
    let limit = i64::from(limit).clamp(1, MAX_LIST);
    store::list(sql, phone_e164, limit)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::delivery::Channel;
    use crate::testing::{FakeClock, TestDb};

    fn msg(phone: &str, channel: Channel, code: &str) -> OtpMessage {
        OtpMessage {
            phone_e164: phone.into(),
            channel,
            code: code.into(),
            text: format!("Mã xác thực: {code}"),
            tracking_id: format!("t-{code}"),
        }
    }

    #[test]
    fn delivered_codes_are_listed_newest_first_for_that_phone_only() {
        let db = TestDb::memory();
        let clock = FakeClock::at(1_000);
        let outbox = Outbox::new(&db, &clock);
        outbox
            .deliver(&msg("+84905123456", Channel::Sms, "111111"))
            .unwrap();
        outbox
            .deliver(&msg("+84912345678", Channel::Sms, "999999"))
            .unwrap();
        // Same second as the next one: order must still be by insertion.
        clock.advance(5);
        outbox
            .deliver(&msg("+84905123456", Channel::Zalo, "222222"))
            .unwrap();
        outbox
            .deliver(&msg("+84905123456", Channel::Sms, "333333"))
            .unwrap();

        let items = list_outbox(&db, "+84905123456", 20).unwrap();
        let codes: Vec<&str> = items.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(codes, vec!["333333", "222222", "111111"]);
        assert_eq!(
            items[1],
            OutboxItem {
                phone: "+84905123456".into(),
                channel: "zalo".into(),
                text: "Mã xác thực: 222222".into(),
                code: "222222".into(),
                sent_at: 1_005,
            }
        );
        assert_eq!(list_outbox(&db, "+84905123456", 1).unwrap().len(), 1);
        assert!(list_outbox(&db, "+84900000000", 20).unwrap().is_empty());
    }
}
