//! The page's static assets, embedded at compile time, and how they are
//! served: exact names only, a strong `ETag`, and caching that never serves
//! a stale file (see [`respond`]).

use cds_shared::http::{Request, Response};

/// One embedded file.
pub struct Asset {
    /// The name under `/kiosk/`.
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!("../assets/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file the page uses; anything else under `/kiosk/` is 404.
pub const ASSETS: &[Asset] = &[
    asset!("kiosk.css", "text/css; charset=utf-8"),
    asset!("icon.svg", "image/svg+xml"),
    asset!("js/main.js", JS),
    asset!("js/i18n.js", JS),
    asset!("js/strings.js", JS),
    asset!("js/api.js", JS),
    asset!("js/errors.js", JS),
    asset!("js/format.js", JS),
    asset!("js/session.js", JS),
    asset!("js/idle.js", JS),
    asset!("js/ui.js", JS),
    asset!("js/keypad.js", JS),
    asset!("js/login.js", JS),
    asset!("js/qr.js", JS),
    asset!("js/documents.js", JS),
    asset!("js/book.js", JS),
    asset!("js/checkin.js", JS),
    asset!("js/feedback.js", JS),
    asset!("js/alerts.js", JS),
];

/// The asset called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// A short fingerprint of a file's bytes (64-bit FNV-1a, hex): it names a
/// version for caches, it does not protect anything.
pub fn version(body: &[u8]) -> String {
    let hash = body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// The asset, or 304 when the browser's copy is current.
///
/// The page links its entry points as `name?v=<version>`; a request carrying
/// the current version may be cached for a year, since a new build links a
/// new version. Without it (modules the entry point imports, or an old page
/// still open) the browser must revalidate every time (`no-cache` + `ETag`),
/// which costs a 304 but never runs yesterday's code with today's page.
pub fn respond(asset: &Asset, req: &Request) -> Response {
    let version = version(asset.body);
    let etag = format!("\"{version}\"");
    let cache = if req.query_param("v") == Some(version.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let current = req.header("if-none-match").is_some_and(|v| {
        v.split(',')
            .any(|tag| tag.trim().trim_start_matches("W/") == etag)
    });
    let resp = if current {
        Response {
            status: 304,
            headers: Vec::new(),
            body: Vec::new(),
        }
    } else {
        Response::bytes(200, asset.content_type, asset.body.to_vec())
    };
    resp.with_header("etag", &etag)
        .with_header("cache-control", cache)
}
