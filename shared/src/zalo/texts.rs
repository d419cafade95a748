//! What the bot says, in Vietnamese with diacritics (stored NFC).

use crate::phone::Phone;

/// The answer to a new follower.
pub const WELCOME: &str = "Chào mừng bạn đến với Công dân số! Tại đây bạn có thể \
đăng ký, liên kết tài khoản, xem lịch hẹn và gửi phản ánh tới thành phố.";

/// The command list.
pub const HELP: &str = "Các lệnh bạn có thể gửi (có dấu hoặc không dấu đều được):\n\
• đăng ký — đăng ký hoặc liên kết tài khoản Công dân số với Zalo này\n\
• lịch hẹn — xem các lịch hẹn sắp tới\n\
• thông báo — xem các thông báo mới nhất\n\
• phản ánh <nội dung> — gửi phản ánh, kiến nghị tới thành phố\n\
• hủy — dừng thao tác đang làm\n\
• trợ giúp — xem lại hướng dẫn này";

/// A message that is no command.
pub const NOT_UNDERSTOOD: &str = "Xin lỗi, tôi chưa hiểu yêu cầu của bạn. \
Bạn có thể gửi: đăng ký, lịch hẹn, phản ánh <nội dung> hoặc trợ giúp.";

/// Asks for the phone number after "đăng ký".
pub const ASK_PHONE: &str = "Vui lòng nhập số điện thoại di động của bạn (ví dụ 0905 123 456). \
Mã xác thực sẽ được gửi qua Zalo tới số này.";

/// The phone number could not be read.
pub const INVALID_PHONE: &str = "Số điện thoại không hợp lệ. Vui lòng nhập số di động Việt Nam \
gồm 10 chữ số, ví dụ 0905 123 456, hoặc gửi \"hủy\" để dừng.";

/// Asks again for the code.
pub const ASK_CODE: &str = "Vui lòng nhập mã xác thực gồm 6 chữ số đã gửi qua Zalo, \
hoặc gửi \"hủy\" để dừng.";

/// The challenge is gone.
pub const CODE_EXPIRED: &str = "Mã xác thực đã hết hạn hoặc đã được sử dụng. \
Gửi \"đăng ký\" để nhận mã mới.";

/// Too many wrong codes.
pub const CODE_EXHAUSTED: &str = "Bạn đã nhập sai mã quá số lần cho phép. \
Gửi \"đăng ký\" để nhận mã mới.";

/// ZNS did not take the code.
pub const DELIVERY_FAILED: &str = "Chưa gửi được mã xác thực qua Zalo. \
Vui lòng thử lại sau ít phút.";

/// "hủy" cancelled a sign-up.
pub const CANCELLED: &str = "Đã hủy thao tác. Gửi \"trợ giúp\" để xem các lệnh.";

/// "hủy" with nothing pending.
pub const NOTHING_TO_CANCEL: &str = "Không có thao tác nào đang chờ. \
Gửi \"trợ giúp\" để xem các lệnh.";

/// A command that needs a linked account.
pub const NOT_LINKED: &str = "Zalo của bạn chưa liên kết với tài khoản Công dân số. \
Gửi \"đăng ký\" để liên kết.";

/// "thông báo" with an empty inbox.
pub const NO_NOTICES: &str = "Bạn chưa có thông báo nào.";

/// "lịch hẹn" with nothing upcoming.
pub const NO_APPOINTMENTS: &str = "Bạn không có lịch hẹn nào sắp tới.";

/// "phản ánh" without text.
pub const FEEDBACK_EMPTY: &str = "Vui lòng gửi nội dung sau chữ \"phản ánh\", ví dụ: \
phản ánh Đèn đường trên đường Bạch Đằng bị hỏng.";

/// Feedback cannot be filed right now.
pub const FEEDBACK_UNAVAILABLE: &str = "Chức năng gửi phản ánh qua Zalo tạm thời chưa sẵn sàng. \
Vui lòng thử lại sau.";

/// The feedback text was refused.
pub const FEEDBACK_INVALID: &str = "Nội dung phản ánh chưa hợp lệ (tối đa 4.000 ký tự, \
không chứa ký tự điều khiển). Vui lòng gửi lại.";

/// A store failed; try again.
pub const BUSY: &str = "Hệ thống đang bận, vui lòng thử lại sau ít phút.";

/// `+84905123456` → `0905***456`: recognisable by its owner in a chat.
pub fn masked(phone: &Phone) -> String {
    let national = phone.national();
    let head = national.get(..4).unwrap_or_default();
    let tail = national
        .get(national.len().saturating_sub(3)..)
        .unwrap_or_default();
    format!("{head}***{tail}")
}

/// The code went out; how long it holds.
pub fn code_sent(phone: &Phone, ttl_seconds: u32) -> String {
    format!(
        "Mã xác thực gồm 6 chữ số đã được gửi qua Zalo tới số {}. \
         Vui lòng nhập mã tại đây trong vòng {}.",
        masked(phone),
        duration(u64::from(ttl_seconds))
    )
}

/// A wrong code, with the tries left.
pub fn wrong_code(attempts_left: u32) -> String {
    if attempts_left == 0 {
        return CODE_EXHAUSTED.to_owned();
    }
    format!("Mã xác thực không đúng. Bạn còn {attempts_left} lần thử.")
}

/// The phone is locked for a while.
pub fn phone_locked(retry_after: u64) -> String {
    format!(
        "Số điện thoại tạm thời bị khóa do nhập sai mã quá nhiều lần. \
         Vui lòng thử lại sau {}.",
        duration(retry_after)
    )
}

/// Too many code requests; when to try again.
pub fn rate_limited(retry_after: u64) -> String {
    format!(
        "Bạn đã yêu cầu mã quá nhiều lần. Vui lòng thử lại sau {}.",
        duration(retry_after)
    )
}

/// The link is made (and whether the account is new).
pub fn linked(phone: &Phone, created: bool) -> String {
    let what = if created {
        "Đăng ký thành công! Tài khoản Công dân số của số"
    } else {
        "Liên kết thành công! Tài khoản Công dân số của số"
    };
    let done = if created {
        "đã được tạo và liên kết"
    } else {
        "đã được liên kết"
    };
    format!(
        "{what} {} {done} với Zalo của bạn. \
         Gửi \"lịch hẹn\" để xem lịch hẹn hoặc \"phản ánh <nội dung>\" để gửi phản ánh.",
        masked(phone)
    )
}

/// The heading of the appointment list.
pub fn notices_header(count: usize) -> String {
    format!("{count} thông báo mới nhất của bạn:")
}

/// The header of the appointment list.
pub fn appointments_header(count: usize) -> String {
    format!("Bạn có {count} lịch hẹn sắp tới:")
}

/// The feedback was filed, with its tracking code.
pub fn feedback_filed(tracking_code: &str) -> String {
    format!(
        "Cảm ơn bạn! Phản ánh đã được tiếp nhận với mã {tracking_code}. \
         Bạn có thể theo dõi tiến độ xử lý trên Công dân số."
    )
}

/// Too much feedback; when to send again.
pub fn feedback_rate_limited(retry_after: u64) -> String {
    format!(
        "Bạn đã gửi nhiều phản ánh trong một giờ qua. Vui lòng gửi lại sau {}.",
        duration(retry_after)
    )
}

/// Seconds as Vietnamese words, rounded up to what a person waits for.
pub fn duration(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{} giây", seconds.max(1)),
        60..=3_599 => format!("{} phút", seconds.div_ceil(60)),
        _ => format!("{} giờ", seconds.div_ceil(3_600)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use unicode_normalization::is_nfc;

    #[test]
    fn texts_are_nfc_and_short() {
        let phone = Phone::parse("0905123456").unwrap();
        for t in [
            WELCOME.to_owned(),
            HELP.to_owned(),
            NOT_UNDERSTOOD.to_owned(),
            ASK_PHONE.to_owned(),
            INVALID_PHONE.to_owned(),
            code_sent(&phone, 300),
            linked(&phone, true),
            wrong_code(2),
            phone_locked(900),
            rate_limited(45),
            feedback_filed("PA-2026-000123"),
        ] {
            assert!(is_nfc(&t), "{t}");
            assert!(t.chars().count() <= super::super::split::MAX_MESSAGE_CHARS);
        }
    }

    #[test]
    fn phones_are_masked_and_durations_read_naturally() {
        let phone = Phone::parse("+84 905 123 456").unwrap();
        assert_eq!(masked(&phone), "0905***456");
        assert!(code_sent(&phone, 300).contains("5 phút"));
        assert_eq!(duration(45), "45 giây");
        assert_eq!(duration(61), "2 phút");
        assert_eq!(duration(900), "15 phút");
        assert_eq!(duration(7_200), "2 giờ");
    }
}
