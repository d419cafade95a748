//! A citizen's document vault as the tests fill it: small real PDFs and
//! uploads with a percent-encoded title.
#![allow(clippy::unwrap_used)]

use reqwest::Method;

use crate::encode::enc;
use crate::{Host, Resp};

/// A tiny but real PDF whose bytes differ with `tag`.
pub fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {tag}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

/// `POST /api/v1/documents?type=…&title=…` with these bytes.
pub fn upload(
    host: &Host,
    token: &str,
    doc_type: &str,
    title: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Resp {
    let path = format!("/api/v1/documents?type={doc_type}&title={}", enc(title));
    host.send(
        host.request(Method::POST, &path)
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes),
    )
}
