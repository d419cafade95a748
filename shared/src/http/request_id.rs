//! The request id stamped on every response: the client's `x-request-id`
//! when it is safe to echo, otherwise a fresh random one.

use crate::ports::Random;

use super::Request;

/// Longest client `x-request-id` echoed back; longer ones are replaced.
const MAX_REQUEST_ID_LEN: usize = 128;

impl Request {
    /// The client's `x-request-id` when it is safe to echo (1–128 characters
    /// of `[A-Za-z0-9._:-]`), else `None`. See [`request_id`] for the
    /// generating version.
    pub fn request_id(&self) -> Option<&str> {
        let id = self.header("x-request-id")?;
        let sane = !id.is_empty()
            && id.len() <= MAX_REQUEST_ID_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
        sane.then_some(id)
    }
}

/// The request id to use: the client's when sane, otherwise 16 fresh random
/// bytes as 32 lower-case hex digits. Echoing only a narrow alphabet keeps
/// clients from injecting into our logs or headers.
pub fn request_id(req: &Request, rng: &dyn Random) -> String {
    match req.request_id() {
        Some(id) => id.to_owned(),
        None => {
            let mut bytes = [0u8; 16];
            rng.fill(&mut bytes);
            hex(&bytes)
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_helpers::rng;

    #[test]
    fn echoes_sane_client_request_id() {
        let req = Request::from_uri("GET", "/").with_header("X-Request-Id", "abc-123_x.y:z");
        assert_eq!(request_id(&req, &rng()), "abc-123_x.y:z");
        let long = "a".repeat(128);
        let req = Request::from_uri("GET", "/").with_header("x-request-id", &long);
        assert_eq!(request_id(&req, &rng()), long);
    }

    #[test]
    fn replaces_unsafe_client_request_id() {
        for bad in [
            "",
            "a b",
            "x\r\nset-cookie: a=b",
            "<script>",
            "đ",
            &"a".repeat(129),
        ] {
            let req = Request::from_uri("GET", "/").with_header("x-request-id", bad);
            assert_eq!(
                request_id(&req, &rng()),
                "000102030405060708090a0b0c0d0e0f",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn generates_request_id_when_absent() {
        let id = request_id(&Request::from_uri("GET", "/"), &rng());
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
