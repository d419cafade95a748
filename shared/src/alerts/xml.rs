//! The CAP 1.2 XML of an alert's message (OASIS "Common Alerting Protocol
//! Version 1.2", namespace `urn:oasis:names:tc:emergency:cap:1.2`), and
//! the feed's index.
//!
//! The CAP schema's one top-level element is `<alert>`, so a document holds
//! one message: `GET /api/v1/alerts/{id}.cap.xml` is the latest message of
//! an alert, and `GET /api/v1/alerts.cap.xml` is an RSS 2.0 index of the
//! active alerts whose items link to those documents (the shape CAP
//! aggregators read besides Atom; docs/alerts.md). Written by hand: every
//! text is escaped by [`escape`], and the elements follow the schema's
//! order.

use super::area::{self, Area};
use super::Message;
use crate::local_time::rfc3339_vn;

/// The CAP 1.2 namespace.
pub const CAP_NS: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// XML text or attribute content: `&`, `<`, `>`, `"`, `'` escaped, and the
/// characters XML 1.0 cannot carry at all left out.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn element(out: &mut String, indent: &str, name: &str, text: &str) {
    out.push_str(indent);
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&escape(text));
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// The CAP `references` of `m`: every earlier message of its chain as
/// `sender,identifier,sent`, space-separated; `None` for the first.
pub fn references(m: &Message, chain: &[Message]) -> Option<String> {
    let earlier: Vec<String> = chain
        .iter()
        .filter(|e| e.alert_id == m.alert_id && e.version < m.version)
        .map(|e| format!("{},{},{}", e.sender, e.id, rfc3339_vn(e.sent)))
        .collect();
    (!earlier.is_empty()).then(|| earlier.join(" "))
}

/// The CAP 1.2 document of message `m` of `chain`; `web` is the alert's
/// page (an absolute URL), when the public origin is known.
pub fn cap_document(m: &Message, chain: &[Message], areas: &[Area], web: Option<&str>) -> String {
    let mut out = String::with_capacity(2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<alert xmlns=\"{CAP_NS}\">\n"));
    element(&mut out, "  ", "identifier", &m.id);
    element(&mut out, "  ", "sender", &m.sender);
    element(&mut out, "  ", "sent", &rfc3339_vn(m.sent));
    element(&mut out, "  ", "status", m.status.as_str());
    element(&mut out, "  ", "msgType", m.msg_type.as_str());
    element(&mut out, "  ", "scope", "Public");
    if let Some(refs) = references(m, chain) {
        element(&mut out, "  ", "references", &refs);
    }
    element(&mut out, "  ", "incidents", &m.alert_id);
    out.push_str("  <info>\n");
    element(&mut out, "    ", "language", "vi-VN");
    element(&mut out, "    ", "category", m.category.as_str());
    element(&mut out, "    ", "event", &m.event);
    element(&mut out, "    ", "urgency", m.urgency.as_str());
    element(&mut out, "    ", "severity", m.severity.as_str());
    element(&mut out, "    ", "certainty", m.certainty.as_str());
    element(&mut out, "    ", "effective", &rfc3339_vn(m.effective));
    element(&mut out, "    ", "expires", &rfc3339_vn(m.expires));
    element(&mut out, "    ", "senderName", "Thành phố Đà Nẵng");
    element(&mut out, "    ", "headline", &m.headline);
    element(&mut out, "    ", "description", &m.description);
    if let Some(instruction) = &m.instruction {
        element(&mut out, "    ", "instruction", instruction);
    }
    if let Some(web) = web {
        element(&mut out, "    ", "web", web);
    }
    for code in &m.areas {
        let found = area::find(areas, code);
        out.push_str("    <area>\n");
        element(
            &mut out,
            "      ",
            "areaDesc",
            &found.map_or_else(|| code.clone(), |a| area_desc(a, areas)),
        );
        geocode(&mut out, "cds:area", code);
        if let Some(gso) = found.and_then(|a| a.gso_code.as_deref()) {
            geocode(&mut out, "GSO", gso);
        }
        out.push_str("    </area>\n");
    }
    out.push_str("  </info>\n");
    out.push_str("</alert>\n");
    out
}

fn geocode(out: &mut String, name: &str, value: &str) {
    out.push_str("      <geocode>\n");
    element(out, "        ", "valueName", name);
    element(out, "        ", "value", value);
    out.push_str("      </geocode>\n");
}

/// "Phường Thạch Thang, Quận Hải Châu, Thành phố Đà Nẵng".
pub fn area_desc(a: &Area, areas: &[Area]) -> String {
    let mut parts = vec![titled(a)];
    let mut up = a.parent.as_deref().and_then(|p| area::find(areas, p));
    while let Some(p) = up {
        parts.push(titled(p));
        up = p.parent.as_deref().and_then(|q| area::find(areas, q));
    }
    parts.join(", ")
}

fn titled(a: &Area) -> String {
    use super::area::Kind;
    let word = match (a.kind, a.parent.as_deref()) {
        (Kind::City, _) => "Thành phố",
        (Kind::District, _) if a.code == "hoa-vang" => "Huyện",
        (Kind::District, _) => "Quận",
        (Kind::Ward, Some("hoa-vang")) => "Xã",
        (Kind::Ward, _) => "Phường",
    };
    format!("{word} {}", a.name)
}

/// The RSS 2.0 index of the active alerts: one item per alert, linking to
/// its CAP document under `origin` (the public origin, or empty for
/// relative links).
pub fn index_document(active: &[Message], origin: &str) -> String {
    let mut out = String::with_capacity(1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<rss version=\"2.0\">\n  <channel>\n");
    element(&mut out, "    ", "title", "Cảnh báo của Thành phố Đà Nẵng");
    element(
        &mut out,
        "    ",
        "link",
        &format!("{origin}/api/v1/alerts.cap.xml"),
    );
    element(
        &mut out,
        "    ",
        "description",
        "Các cảnh báo đang có hiệu lực, mỗi mục là một bản tin CAP 1.2",
    );
    element(&mut out, "    ", "language", "vi-VN");
    for m in active {
        out.push_str("    <item>\n");
        element(&mut out, "      ", "title", &m.headline);
        element(
            &mut out,
            "      ",
            "link",
            &format!("{origin}/api/v1/alerts/{}.cap.xml", m.alert_id),
        );
        element(&mut out, "      ", "description", &m.description);
        element(&mut out, "      ", "category", m.severity.as_str());
        out.push_str(&format!(
            "      <guid isPermaLink=\"false\">{}</guid>\n",
            escape(&m.id)
        ));
        out.push_str("    </item>\n");
    }
    out.push_str("  </channel>\n</rss>\n");
    out
}
