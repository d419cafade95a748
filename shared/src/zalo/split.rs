//! Cutting a reply into messages Zalo accepts (at most 2,000 characters).

/// The OA API's limit for one text message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2_000;

/// Splits `text` into parts of at most `max` characters (`max` ≥ 1), on
/// line boundaries where possible so no list item is cut in two; a single
/// line longer than `max` is cut at a space, or anywhere if it has none.
/// Empty parts are never produced.
pub fn split_message(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for line in text.lines() {
        for piece in cut_line(line, max) {
            let len = piece.chars().count();
            // +1 for the newline that joins it to what is already there.
            if current_len > 0 && current_len + 1 + len > max {
                parts.push(std::mem::take(&mut current));
                current_len = 0;
            }
            if current_len > 0 {
                current.push('\n');
                current_len += 1;
            }
            current.push_str(piece);
            current_len += len;
        }
    }
    if !current.trim().is_empty() {
        parts.push(current);
    }
    parts.retain(|p| !p.trim().is_empty());
    parts
}

/// A line as pieces of at most `max` characters, preferring to cut after a space.
fn cut_line(line: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = line;
    while rest.chars().count() > max {
        // Byte offset just past the max-th character.
        let hard = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let window = rest.get(..hard).unwrap_or(rest);
        let cut = match window.rfind(' ') {
            Some(i) if i > 0 => i + 1,
            _ => hard,
        };
        let (head, tail) = rest.split_at(cut);
        pieces.push(head.trim_end());
        rest = tail;
    }
    pieces.push(rest);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_part() {
        assert_eq!(
            split_message("Xin chào!\nGõ trợ giúp.", 2_000),
            vec!["Xin chào!\nGõ trợ giúp."]
        );
        assert!(split_message("", 2_000).is_empty());
    }

    #[test]
    fn long_lists_split_on_line_boundaries_within_the_limit() {
        let lines: Vec<String> = (1..=200)
            .map(|i| format!("• Lịch hẹn số {i}: Khám nội tổng quát, Bệnh viện Đà Nẵng"))
            .collect();
        let text = lines.join("\n");
        let parts = split_message(&text, MAX_MESSAGE_CHARS);
        assert!(parts.len() > 1);
        for p in &parts {
            assert!(
                p.chars().count() <= MAX_MESSAGE_CHARS,
                "{}",
                p.chars().count()
            );
        }
        // Nothing lost, no line cut in two.
        let rejoined: Vec<&str> = parts.iter().flat_map(|p| p.lines()).collect();
        assert_eq!(
            rejoined,
            lines.iter().map(String::as_str).collect::<Vec<_>>()
        );
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 1,500 "ệ" are 4,500 bytes but 1,500 characters: one message.
        let text = "ệ".repeat(1_500);
        assert_eq!(split_message(&text, MAX_MESSAGE_CHARS), vec![text.clone()]);
    }

    #[test]
    fn an_overlong_line_is_cut_at_spaces_or_anywhere() {
        let words = "phản ánh ".repeat(500);
        let parts = split_message(&words, 100);
        assert!(parts
            .iter()
            .all(|p| p.chars().count() <= 100 && !p.is_empty()));
        assert!(parts.iter().all(|p| !p.starts_with(' ')));
        let solid = "x".repeat(250);
        let parts = split_message(&solid, 100);
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            vec![100, 100, 50]
        );
    }
}
