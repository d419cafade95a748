//! The kiosk component over HTTP (docs/kiosk.md): the page and every asset it
//! loads, with their content types, caching and security headers; 404 for
//! anything else under `/kiosk/`; the idle override only in development.
//! The flows themselves run in a real browser: `scripts/browser-test`.

use std::collections::BTreeSet;

use e2e::{Host, HostBuilder, Method, Resp};

fn page(host: &Host, query: &str) -> String {
    let resp = host.get(&format!("/kiosk/{query}"));
    assert_eq!(resp.status, 200, "{}", resp.text());
    resp.text()
}

/// The `data-idle-seconds` the page hands its script.
fn idle_seconds(html: &str) -> String {
    let rest = html.split("data-idle-seconds=\"").nth(1).unwrap();
    rest.split('"').next().unwrap().to_owned()
}

fn assert_secured(resp: &Resp) {
    let csp = resp
        .header("content-security-policy")
        .expect("a CSP header");
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "CSP lacks {directive}: {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") && !csp.contains("http"),
        "{csp}"
    );
    assert_eq!(
        resp.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        resp.header("referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert!(resp.header("x-request-id").is_some());
}

/// Values of `attr="…"` in `html`.
fn attributes(html: &str, attr: &str) -> Vec<String> {
    html.split(&format!("{attr}=\""))
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// Relative module imports (`from './x.js'`) of a script.
fn imports(js: &str) -> Vec<String> {
    js.split("from './")
        .skip(1)
        .filter_map(|s| s.split('\'').next())
        .map(str::to_owned)
        .collect()
}

fn expected_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        other => panic!("unexpected asset type {other:?} for {path}"),
    }
}

#[test]
fn the_page_is_served_vietnamese_first_with_strict_security_headers() {
    let host = HostBuilder::app().start();
    let resp = host.get("/kiosk/");
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(resp.header("cache-control").as_deref(), Some("no-store"));
    assert_secured(&resp);
    let html = resp.text();
    assert!(
        html.starts_with("<!doctype html>") && html.contains("<html lang=\"vi\""),
        "{html}"
    );
    assert_eq!(idle_seconds(&html), "60");
    // Every script is a file of our own: nothing inline, nothing from another origin.
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script type=\"module\" src=\"/kiosk/")
            .count()
    );
    assert!(!html.contains("style=\""), "an inline style");
    for handler in ["onclick=", "onload=", "onerror=", "onsubmit=", "oninput="] {
        assert!(!html.contains(handler), "an inline {handler} handler");
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "a link to another origin"
    );
    // `/kiosk` itself leads to the page.
    let redirect = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let moved = redirect.get(host.at("/kiosk")).send().unwrap();
    assert_eq!(moved.status().as_u16(), 308);
    assert_eq!(moved.headers()["location"], "/kiosk/");
    assert_eq!(host.get("/kiosk/index.html").text(), html);
}

#[test]
fn every_asset_the_page_loads_is_served_with_its_type_and_cache_headers() {
    let host = HostBuilder::app().start();
    let html = page(&host, "");
    let linked: Vec<String> = attributes(&html, "src")
        .into_iter()
        .chain(attributes(&html, "href"))
        .collect();
    assert!(linked.len() >= 3, "{linked:?}");

    // The page links its entry points with their version: cacheable for a year.
    let mut seen = BTreeSet::new();
    let mut modules = Vec::new();
    for url in &linked {
        assert!(url.starts_with("/kiosk/"), "{url}");
        let resp = host.get(url);
        let path = url.split('?').next().unwrap();
        assert_eq!(resp.status, 200, "{url}: {}", resp.text());
        assert_eq!(
            resp.header("content-type").as_deref(),
            Some(expected_type(path)),
            "{url}"
        );
        assert_secured(&resp);
        let etag = resp.header("etag").unwrap();
        if let Some((_, version)) = url.split_once("?v=") {
            assert_eq!(etag, format!("\"{version}\""), "{url}");
            assert_eq!(
                resp.header("cache-control").as_deref(),
                Some("public, max-age=31536000, immutable")
            );
        }
        if path.ends_with(".js") {
            modules.push(path.to_owned());
        }
        seen.insert(path.to_owned());
    }

    // Modules imported by the entry point come without a version: always revalidated.
    while let Some(path) = modules.pop() {
        let js = host.get(&path).text();
        let dir = &path[..=path.rfind('/').unwrap()];
        for name in imports(&js) {
            let child = format!("{dir}{name}");
            if !seen.insert(child.clone()) {
                continue;
            }
            let resp = host.get(&child);
            assert_eq!(
                resp.status, 200,
                "{child} (imported by {path}) is not served"
            );
            assert_eq!(
                resp.header("content-type").as_deref(),
                Some(expected_type(&child))
            );
            assert_eq!(
                resp.header("cache-control").as_deref(),
                Some("no-cache"),
                "{child}"
            );
            assert!(resp.header("etag").is_some(), "{child}");
            modules.push(child);
        }
    }
    for module in [
        "/kiosk/js/login.js",
        "/kiosk/js/idle.js",
        "/kiosk/js/checkin.js",
        "/kiosk/js/feedback.js",
    ] {
        assert!(
            seen.contains(module),
            "{module} is not reached from the page: {seen:?}"
        );
    }

    // A stale version in the URL is still served, but not cached for long.
    let stale = host.get("/kiosk/kiosk.css?v=0000000000000000");
    assert_eq!(stale.status, 200);
    assert_eq!(stale.header("cache-control").as_deref(), Some("no-cache"));
}

#[test]
fn a_current_copy_is_revalidated_with_304() {
    let host = HostBuilder::app().start();
    let first = host.get("/kiosk/js/main.js");
    let etag = first.header("etag").unwrap();
    let again = host.send(
        host.request(Method::GET, "/kiosk/js/main.js")
            .header("if-none-match", &etag),
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag").as_deref(), Some(etag.as_str()));
    let other = host.send(
        host.request(Method::GET, "/kiosk/js/main.js")
            .header("if-none-match", "\"nope\""),
    );
    assert_eq!(other.status, 200);
    assert_eq!(other.body, first.body);
}

#[test]
fn anything_else_under_kiosk_is_404_and_only_get_is_allowed() {
    let host = HostBuilder::app().start();
    for path in [
        "/kiosk/nope.js",
        "/kiosk/js/",
        "/kiosk/js/nope.js",
        "/kiosk/js/..%2fkiosk.css",
        "/kiosk/assets/index.html",
        "/kiosk/KIOSK.CSS",
    ] {
        let resp = host.get(path);
        assert_eq!(resp.status, 404, "{path}");
        assert_eq!(resp.error_code(), "not_found", "{path}");
        assert_secured(&resp);
    }
    for (method, path) in [
        (Method::POST, "/kiosk/"),
        (Method::DELETE, "/kiosk/js/main.js"),
        (Method::PUT, "/kiosk/kiosk.css"),
    ] {
        let resp = host.send(host.request(method.clone(), path));
        assert_eq!(resp.status, 405, "{method} {path}");
        assert_eq!(
            resp.header("allow").as_deref(),
            Some("GET"),
            "{method} {path}"
        );
    }
}

#[test]
fn the_idle_time_can_be_shortened_only_in_development() {
    let dev = HostBuilder::app().start();
    assert_eq!(idle_seconds(&page(&dev, "?idle=5")), "5");
    for bad in ["?idle=0", "?idle=abc", "?idle=-3", "?idle=99999", "?idle="] {
        assert_eq!(idle_seconds(&page(&dev, bad)), "60", "{bad}");
    }
    let production = HostBuilder::app().var("dev_mode", "false").start();
    assert_eq!(idle_seconds(&page(&production, "?idle=5")), "60");
    assert_eq!(idle_seconds(&page(&production, "")), "60");
}
