//! The provider's login cookie: the citizen's platform session token, so a
//! second service in the same browser logs in without a new code ("đăng
//! nhập 01 lần"). HttpOnly (no script reads it), SameSite=Lax (a form posted
//! from another site does not carry it), and `__Host-` + Secure outside
//! development.

use cds_shared::http::{Request, Response};
use cds_shared::sso::provider::Provider;

const SECURE_NAME: &str = "__Host-cds_sso";
const DEV_NAME: &str = "cds_sso";

fn name(provider: &Provider) -> &'static str {
    if provider.insecure_cookies {
        DEV_NAME
    } else {
        SECURE_NAME
    }
}

/// The session token the browser presents, if any.
pub fn read<'r>(provider: &Provider, req: &'r Request) -> Option<&'r str> {
    let wanted = name(provider);
    req.headers
        .iter()
        .filter(|(n, _)| n == "cookie")
        .flat_map(|(_, v)| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == wanted)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= 256)
}

/// Sets the cookie to `token` for `max_age` seconds.
pub fn set(provider: &Provider, resp: Response, token: &str, max_age: i64) -> Response {
    resp.with_header("set-cookie", &value(provider, token, max_age))
}

/// Removes the cookie.
pub fn clear(provider: &Provider, resp: Response) -> Response {
    resp.with_header("set-cookie", &value(provider, "", 0))
}

fn value(provider: &Provider, token: &str, max_age: i64) -> String {
    let secure = if provider.insecure_cookies {
        ""
    } else {
        "; Secure"
    };
    format!(
        "{}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
        name(provider)
    )
}
