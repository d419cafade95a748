//! Reading a chat message as a command, whatever the diacritics and case:
//! "đăng ký", "dang ky", "ĐĂNG KÝ" and "Đăng kí" are the same command.

use unicode_normalization::UnicodeNormalization;

/// What a message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// "đăng ký" / "liên kết": sign up or link the Zalo user to an account.
    SignUp,
    /// "lịch hẹn": the linked citizen's upcoming appointments.
    Appointments,
    /// "thông báo": the linked citizen's latest notices.
    Notices,
    /// "phản ánh <nội dung>" / "góp ý <nội dung>": the content as typed
    /// (NFC, trimmed; empty when only the keyword was sent).
    Feedback(String),
    /// "trợ giúp", "hướng dẫn", "help".
    Help,
    /// "hủy", "thoát": abandon a pending sign-up.
    Cancel,
    /// Not a command: a phone number, a code, or anything else.
    Text,
}

/// Keywords, folded (see [`fold`]), as word lists. A message is a command
/// when it starts with one of these words; what follows is ignored except
/// for feedback, where it is the content.
const SIGN_UP: &[&[&str]] = &[
    &["dang", "ky"],
    &["dang", "ki"],
    &["dangky"],
    &["dangki"],
    &["lien", "ket"],
];
const APPOINTMENTS: &[&[&str]] = &[&["lich", "hen"], &["lichhen"]];
const NOTICES: &[&[&str]] = &[&["thong", "bao"], &["thongbao"]];
const FEEDBACK: &[&[&str]] = &[&["phan", "anh"], &["phananh"], &["gop", "y"]];
const HELP: &[&[&str]] = &[&["tro", "giup"], &["huong", "dan"], &["help"], &["menu"]];
const CANCEL: &[&[&str]] = &[&["huy"], &["thoat"], &["cancel"]];

/// Lower case without diacritics: NFD, combining marks dropped, `đ` → `d`.
pub fn fold(text: &str) -> String {
    crate::text::strip_diacritics(text)
        .chars()
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads `text` as a command.
pub fn parse(text: &str) -> Command {
    let text: String = text.nfc().collect();
    let words = words(&text);
    if let Some(end) = starts_with_any(&words, FEEDBACK) {
        let rest = text.get(end..).unwrap_or_default();
        let content = rest
            .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '–' | ','));
        return Command::Feedback(content.trim().to_owned());
    }
    let table: [(&[&[&str]], Command); 5] = [
        (SIGN_UP, Command::SignUp),
        (APPOINTMENTS, Command::Appointments),
        (NOTICES, Command::Notices),
        (HELP, Command::Help),
        (CANCEL, Command::Cancel),
    ];
    for (keywords, command) in table {
        if starts_with_any(&words, keywords).is_some() {
            return command;
        }
    }
    Command::Text
}

/// One word of the message: its folded form without surrounding punctuation,
/// and the byte offset where it ends in the original text.
struct Word {
    folded: String,
    end: usize,
}

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                let raw = text.get(s..i).unwrap_or_default();
                let folded = fold(raw.trim_matches(|c: char| c.is_ascii_punctuation() || c == '…'));
                out.push(Word { folded, end: i });
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Where the matched keyword ends (byte offset) if the words start with one.
fn starts_with_any(words: &[Word], keywords: &[&[&str]]) -> Option<usize> {
    keywords.iter().find_map(|kw| {
        let matched = kw.len() <= words.len() && kw.iter().zip(words).all(|(k, w)| w.folded == *k);
        matched
            .then(|| words.get(kw.len() - 1).map(|w| w.end))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_to_plain_lowercase() {
        assert_eq!(fold("ĐĂNG KÝ"), "dang ky");
        assert_eq!(fold("Lịch hẹn"), "lich hen");
        assert_eq!(fold("phản ánh"), "phan anh");
        assert_eq!(fold("Trợ giúp"), "tro giup");
        // Decomposed input (as some keyboards send it) folds the same.
        let nfd: String = "đăng ký".nfd().collect();
        assert_eq!(fold(&nfd), "dang ky");
    }

    #[test]
    fn sign_up_with_and_without_diacritics() {
        for text in [
            "đăng ký",
            "dang ky",
            "ĐĂNG KÝ",
            "Đăng kí",
            "  dang   ky! ",
            "dangky",
            "Liên kết",
            "đăng ký tài khoản",
        ] {
            assert_eq!(parse(text), Command::SignUp, "{text}");
        }
    }

    #[test]
    fn other_commands_with_and_without_diacritics() {
        for text in ["lịch hẹn", "lich hen", "LỊCH HẸN", "Lịch hẹn của tôi"] {
            assert_eq!(parse(text), Command::Appointments, "{text}");
        }
        for text in ["trợ giúp", "tro giup", "TRỢ GIÚP", "help", "Hướng dẫn"] {
            assert_eq!(parse(text), Command::Help, "{text}");
        }
        for text in ["hủy", "huỷ", "HUY", "thoát"] {
            assert_eq!(parse(text), Command::Cancel, "{text}");
        }
    }

    #[test]
    fn feedback_keeps_the_content_as_typed() {
        assert_eq!(
            parse("phản ánh Đèn đường ở Bạch Đằng bị hỏng"),
            Command::Feedback("Đèn đường ở Bạch Đằng bị hỏng".into())
        );
        assert_eq!(
            parse("PHAN ANH: rác chưa được thu gom"),
            Command::Feedback("rác chưa được thu gom".into())
        );
        assert_eq!(
            parse("Góp ý - nên có thêm xe buýt"),
            Command::Feedback("nên có thêm xe buýt".into())
        );
        assert_eq!(parse("phản ánh"), Command::Feedback(String::new()));
        // Decomposed input comes back composed (docs/api.md: stored NFC).
        let nfd: String = "phản ánh ổ gà".nfd().collect();
        assert_eq!(parse(&nfd), Command::Feedback("ổ gà".into()));
    }

    #[test]
    fn everything_else_is_text() {
        for text in [
            "0905 123 456",
            "123456",
            "xin chào",
            "",
            "   ",
            "đăng",
            "lịch",
            "phản",
            "dang kyx",
        ] {
            assert_eq!(parse(text), Command::Text, "{text}");
        }
    }
}
