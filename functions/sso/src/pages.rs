//! Responses of the provider's pages: the HTML answer with its security
//! headers, and the error page shown instead of redirecting anywhere.

use cds_shared::error::ApiError;
use cds_shared::http::{Request, Response};
use cds_shared::lang::Lang;

use crate::html::{esc, page, t};

/// The pages' policy: no script at all, styles only inline, images from
/// https (a service's logo) and nothing may frame the page (so a service
/// cannot overlay the consent buttons).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
img-src https: data:; base-uri 'none'; frame-ancestors 'none'";

/// An HTML page answer, never cached.
pub fn html(status: u16, body: String) -> Response {
    secure(Response::bytes(status, "text/html; charset=utf-8", body.into_bytes()).no_store())
}

/// Adds the pages' security headers.
pub fn secure(mut resp: Response) -> Response {
    resp.set_header("content-security-policy", CONTENT_SECURITY_POLICY);
    resp.set_header("x-frame-options", "DENY");
    resp.set_header("referrer-policy", "no-referrer");
    resp.set_header("x-content-type-options", "nosniff");
    resp
}

/// The error page: what went wrong in the citizen's language, and the OAuth
/// code for whoever debugs the service.
pub fn error_page(req: &Request, lang: Lang, status: u16, e: &ApiError) -> Response {
    let body = format!(
        "<h1>{title}</h1><p class=\"error\" role=\"alert\">{message}</p>\
<p class=\"note\">{hint}</p><p class=\"note\"><code>{code}</code></p>",
        title = t(lang, "Không thể đăng nhập", "Cannot log in"),
        message = esc(e.message(lang)),
        hint = t(
            lang,
            "Vui lòng quay lại dịch vụ và thử lại. Nếu lỗi vẫn còn, hãy báo cho đơn vị quản lý dịch vụ.",
            "Please go back to the service and try again. If this keeps happening, tell the service's operator.",
        ),
        code = esc(e.code()),
    );
    html(
        status,
        page(
            lang,
            t(lang, "Lỗi", "Error"),
            &toggle_href(req, lang),
            &body,
        ),
    )
}

/// This page's URL in the other language: its query with `lang` replaced.
pub fn toggle_href(req: &Request, lang: Lang) -> String {
    let other = match lang {
        Lang::Vi => "en",
        Lang::En => "vi",
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in req.query.iter().filter(|(k, _)| k != "lang") {
        query.append_pair(k, v);
    }
    query.append_pair("lang", other);
    format!("{}?{}", req.path, query.finish())
}
