//! The kiosk page: `index.html` with the settings the script needs written
//! into `<html data-…>` (the script reads no query string and no storage).

use cds_shared::http::Response;

use crate::assets::{find, version};

const TEMPLATE: &str = include_str!("../assets/index.html");

/// Seconds without input before the page warns and then signs out (docs/kiosk.md).
pub const IDLE_SECONDS: u32 = 60;

/// The longest idle time a development override may ask for.
const MAX_IDLE_OVERRIDE: u32 = 3600;

/// The idle time to use: `?idle=N` (1 ≤ N ≤ 3600) is honoured only in
/// development mode, so tests can shorten it; a production kiosk always
/// waits 60 s whatever its URL says.
pub fn idle_seconds(dev_mode: bool, requested: Option<&str>) -> u32 {
    requested
        .filter(|_| dev_mode)
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| (1..=MAX_IDLE_OVERRIDE).contains(n))
        .unwrap_or(IDLE_SECONDS)
}

/// The district whose alerts the start screen shows (docs/alerts.md, "The
/// kiosk"): `?district=<area code>` when it has the shape of one (lower-case
/// ASCII letters, digits and `-`, at most 40), else none. Whether the area
/// exists is the alert API's to say.
pub fn district(requested: Option<&str>) -> &str {
    requested
        .map(str::trim)
        .filter(|d| {
            (1..=40).contains(&d.len())
                && d.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        .unwrap_or("")
}

/// The page, never cached: it is tiny and its idle time and district depend
/// on the URL.
pub fn render(dev_mode: bool, idle: Option<&str>, district_code: Option<&str>) -> Response {
    let ver = |name: &str| find(name).map(|a| version(a.body)).unwrap_or_default();
    let html = TEMPLATE
        .replace(
            "__IDLE_SECONDS__",
            &idle_seconds(dev_mode, idle).to_string(),
        )
        .replace("__DISTRICT__", district(district_code))
        .replace("__V_CSS__", &ver("kiosk.css"))
        .replace("__V_MAIN__", &ver("js/main.js"));
    Response::bytes(200, "text/html; charset=utf-8", html.into_bytes()).no_store()
}
