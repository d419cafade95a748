//! The provider's pages (login by one-time code, consent, errors, logout),
//! rendered on the server in Vietnamese or English: no script, no framework,
//! one inline style sheet allowed by its hash-free `style-src 'unsafe-inline'`
//! (there is no script to inject into), usable on a phone and on the kiosk.

use cds_shared::lang::Lang;

/// HTML-escapes text for element content and double-quoted attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `vi` or `en` text.
pub fn t(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// One style sheet for every page. Sizes are in `rem` on a root of
/// `clamp(18px, 2.5vmin, 30px)` (the kiosk's, docs/kiosk.md): 18 px on a
/// phone, 27 px on both kiosk screens; every control is at least 56 px each
/// way (more on the kiosk), text at least 16 px on a phone and 20 px on the
/// kiosk, every text at least 7:1 on its background, a two-colour focus ring.
/// On a wide screen (the kiosk in landscape) the card is wider, so that the
/// consent page's Allow and Deny fit on the screen without scrolling.
const STYLE: &str = "\
*{box-sizing:border-box}\
html{font-size:clamp(18px,2.5vmin,30px)}\
body{margin:0;font:1rem/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','DejaVu Sans',sans-serif;color:#111;background:#f3f5f8}\
main{max-width:34rem;margin:0 auto;padding:1rem}\
@media (min-width:1400px) and (min-aspect-ratio:4/3){main{max-width:52rem}}\
header{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1rem;margin:.5rem 0 1rem}\
.brand{font-weight:700;color:#8b0000;font-size:1.1rem}\
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}\
h1{font-size:1.5rem;margin:.25rem 0 1rem;line-height:1.3}\
label{display:block;font-weight:600;margin:.75rem 0 .25rem}\
.hint{margin:0 0 .35rem;color:#333;font-size:.9rem}\
input[type=tel],input[type=text]{display:block;width:100%;font:inherit;font-size:1.25rem;padding:.4rem .75rem;min-height:max(56px,2.6rem);border:2px solid #555;border-radius:8px;color:#111;background:#fff}\
button,.button{display:block;width:100%;min-height:max(56px,2.5rem);margin:1rem 0 0;font:inherit;font-size:1.1rem;font-weight:700;line-height:1.3;border:2px solid #0b4f9c;border-radius:8px;padding:.6rem 1rem;background:#0b4f9c;color:#fff;cursor:pointer;text-align:center;text-decoration:none}\
button.secondary{background:#fff;color:#0b4f9c}\
.actions{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:0 1rem}\
fieldset.choices{border:0;padding:0;margin:.75rem 0 0;display:flex;flex-wrap:wrap;gap:0 1.5rem}\
.choices legend{font-weight:600;padding:0;margin:0 0 .25rem}\
.choices label{display:flex;align-items:center;gap:.5rem;font-weight:400;min-height:max(56px,2.5rem);min-width:max(56px,2.5rem);margin:0;padding-right:.5rem;cursor:pointer}\
.choices input{width:1.5rem;height:1.5rem;margin:0}\
.error{background:#fde8e8;color:#7a0000;border-left:6px solid #b00020;padding:.75rem;border-radius:6px;margin:0 0 1rem}\
.note{color:#333;font-size:.9rem}\
ul.claims{padding-left:1.25rem}ul.claims li{margin:.4rem 0}\
.who{display:flex;align-items:center;gap:.75rem;margin-bottom:1rem}\
.who img{flex:none;width:max(56px,2.5rem);height:max(56px,2.5rem);border-radius:8px;object-fit:contain;background:#eee}\
.who a{display:inline-flex;align-items:center;min-height:max(56px,2.5rem)}\
a{color:#0b4f9c}\
.lang{display:inline-flex;align-items:center;justify-content:center;min-height:max(56px,2.5rem);min-width:max(56px,2.5rem);padding:0 .75rem;font-weight:600}\
:focus-visible{outline:5px solid #111;outline-offset:3px;box-shadow:0 0 0 3px #ffbf00}\
";

/// The frame of every page: language toggle and the card.
pub fn page(lang: Lang, title: &str, toggle_href: &str, body: &str) -> String {
    let other = match lang {
        Lang::Vi => ("en", "English"),
        Lang::En => ("vi", "Tiếng Việt"),
    };
    format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · {brand}</title><style>{STYLE}</style></head><body><main>\
<header><span class=\"brand\">{brand}</span>\
<a class=\"lang\" href=\"{href}\" hreflang=\"{other_code}\" lang=\"{other_code}\">{other_name}</a></header>\
<div class=\"card\">{body}</div></main></body></html>",
        code = lang_code(lang),
        title = esc(title),
        brand = t(lang, "Công dân số", "Digital Citizen"),
        href = esc(toggle_href),
        other_code = other.0,
        other_name = other.1,
    )
}

/// `vi` or `en`.
pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    }
}

/// Hidden inputs carrying `fields`.
pub fn hidden(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                esc(k),
                esc(v)
            )
        })
        .collect()
}

/// An error box, or nothing.
pub fn error_box(message: Option<&str>) -> String {
    message
        .map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>", esc(m)))
        .unwrap_or_default()
}

/// The service asking, with its logo when it has one.
pub fn who(name: &str, logo: Option<&str>, client_uri: Option<&str>) -> String {
    let img = logo
        .map(|l| format!("<img src=\"{}\" alt=\"\">", esc(l)))
        .unwrap_or_default();
    let named = match client_uri {
        Some(uri) => format!(
            "<a href=\"{}\" rel=\"noopener\">{}</a>",
            esc(uri),
            esc(name)
        ),
        None => esc(name),
    };
    format!("<div class=\"who\">{img}<strong>{named}</strong></div>")
}
