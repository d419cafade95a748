//! Outbound HTTP with short timeouts on Spin's host (feature `spin`), for
//! calls made while someone waits (the Zalo webhook's answer, docs/zalo.md:
//! within 2 s). `spin_sdk::http::send` cannot pass `wasi:http` request
//! options, so this speaks `wasi:http` directly.

use std::time::Duration;

use crate::ports::{HttpClient, HttpTimeouts, OutboundRequest, OutboundResponse};
use spin_sdk::wit::wasi::http0_2_0::outgoing_handler;
use spin_sdk::wit::wasi::http0_2_0::types::{
    Fields, IncomingResponse, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};

/// Largest answer read; the OA and ZNS APIs answer with a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// An [`HttpClient`] whose requests give up after the given times.
#[derive(Debug, Clone, Copy)]
pub struct TimedHttp(pub HttpTimeouts);

impl HttpClient for TimedHttp {
    fn send(&self, request: &OutboundRequest) -> Result<OutboundResponse, String> {
        let (scheme, authority, path) = split_url(&request.url).ok_or("not an http(s) URL")?;
        let headers: Vec<(String, Vec<u8>)> = request
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.as_bytes().to_vec()))
            .chain(std::iter::once((
                "content-length".to_owned(),
                request.body.len().to_string().into_bytes(),
            )))
            .collect();
        let fields = Fields::from_list(&headers).map_err(|e| format!("bad header: {e:?}"))?;
        let outgoing = OutgoingRequest::new(fields);
        // The OA and ZNS APIs are only ever POSTed to; any other method
        // goes by name, which `wasi:http` maps to the same standard methods.
        let method = match request.method.as_str() {
            "POST" => Method::Post,
            other => Method::Other(other.to_owned()),
        };
        let ok = outgoing.set_method(&method).is_ok()
            && outgoing.set_scheme(Some(&scheme)).is_ok()
            && outgoing.set_authority(Some(authority)).is_ok()
            && outgoing.set_path_with_query(Some(path)).is_ok();
        if !ok {
            return Err("request line refused".into());
        }
        let body = outgoing.body().map_err(|()| "no request body")?;
        let future = outgoing_handler::handle(outgoing, Some(self.options()))
            .map_err(|e| format!("request refused: {e:?}"))?;
        write_body(body, &request.body)?;
        future.subscribe().block();
        let response = match future.get() {
            Some(Ok(Ok(response))) => response,
            Some(Ok(Err(e))) => return Err(format!("{e:?}")),
            _ => return Err("no response".into()),
        };
        let status = response.status();
        Ok(OutboundResponse {
            status,
            body: read_body(response)?,
        })
    }
}

impl TimedHttp {
    fn options(&self) -> RequestOptions {
        let options = RequestOptions::new();
        let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        // A host that does not support a timeout keeps its own default.
        let _ = options.set_connect_timeout(Some(nanos(self.0.connect)));
        let _ = options.set_first_byte_timeout(Some(nanos(self.0.first_byte)));
        let _ = options.set_between_bytes_timeout(Some(nanos(self.0.between_bytes)));
        options
    }
}

fn write_body(body: OutgoingBody, bytes: &[u8]) -> Result<(), String> {
    {
        let stream = body.write().map_err(|()| "no body stream")?;
        // wasi:io allows at most 4096 bytes per blocking write.
        for chunk in bytes.chunks(4096) {
            stream
                .blocking_write_and_flush(chunk)
                .map_err(|e| format!("write: {e:?}"))?;
        }
    }
    OutgoingBody::finish(body, None).map_err(|e| format!("finish: {e:?}"))
}

fn read_body(response: IncomingResponse) -> Result<Vec<u8>, String> {
    let body = response.consume().map_err(|()| "no response body")?;
    let mut out = Vec::new();
    {
        let stream = body.stream().map_err(|()| "no response stream")?;
        // Any stream error ends the body: `Closed` is the normal end, and a
        // body cut short fails the JSON check that follows.
        while let Ok(chunk) = stream.blocking_read(8192) {
            out.extend_from_slice(&chunk);
            if out.len() > MAX_ANSWER_BYTES {
                return Err("answer too large".into());
            }
        }
    }
    Ok(out)
}

/// `http://host:port/path?q` → (scheme, authority, path with query).
fn split_url(url: &str) -> Option<(Scheme, &str, &str)> {
    let (scheme, rest) = if let Some(r) = url.strip_prefix("https://") {
        (Scheme::Https, r)
    } else {
        (Scheme::Http, url.strip_prefix("http://")?)
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    (!authority.is_empty()).then_some((scheme, authority, path))
}
