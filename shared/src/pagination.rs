//! List pagination: `?limit=` and opaque `?cursor=` in, `{"items","next_cursor"}` out (docs/api.md).
//!
//! A cursor is base64url (no padding) of the JSON of whatever key the list is
//! ordered by, typically the last item's sort key and id. It is opaque but not
//! secret or signed: a client that edits one only moves its own position in a
//! list, so queries must still filter by owner and permission, never trust the
//! cursor for that.
//!
//! ```
//! use cds_shared::http::Request;
//! use cds_shared::pagination::Page;
//!
//! let req = Request::from_uri("GET", "/api/v1/documents?limit=2");
//! let page = Page::from_request(&req).unwrap();
//! // Ask the store for one row more than the limit to learn whether more follow.
//! let rows: Vec<(i64, &str)> = vec![(30, "d3"), (20, "d2"), (10, "d1")];
//! assert_eq!(page.fetch_limit(), 3);
//! let out = page.paginate(rows, |(at, id)| (*at, id.to_string())).unwrap();
//! assert_eq!(out.items.len(), 2);
//!
//! // The next request resumes after (20, "d2").
//! let next = Request::from_uri("GET", &format!("/api/v1/documents?cursor={}", out.next_cursor.unwrap()));
//! let after: Option<(i64, String)> = Page::from_request(&next).unwrap().after().unwrap();
//! assert_eq!(after, Some((20, "d2".to_string())));
//! ```

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::http::Request;

/// Items per page when `?limit=` is absent.
pub const DEFAULT_LIMIT: u32 = 20;
/// Largest page (docs/api.md). A larger `?limit=` is refused with 422 rather than
/// quietly lowered: the OpenAPI document states the maximum, and a client that
/// asks for 500 items and silently gets 100 may take the short page for the
/// whole list.
pub const MAX_LIMIT: u32 = 100;
/// Cursors longer than this are refused before decoding: ours are a few
/// dozen characters, and decoding costs memory proportional to length.
const MAX_CURSOR_LEN: usize = 512;

/// What page of a list the client asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// 1..=100.
    pub limit: u32,
    /// The raw cursor, still encoded; decode with [`Page::after`].
    pub cursor: Option<String>,
}

impl Default for Page {
    fn default() -> Page {
        Page {
            limit: DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

/// One page of a list, serialized as `{"items":[…],"next_cursor":"…"|null}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageOf<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// `None` (JSON `null`) on the last page.
    pub next_cursor: Option<String>,
}

impl Page {
    /// Reads `?limit=` and `?cursor=`.
    ///
    /// `limit` absent → 20; empty, zero, above 100, negative or not a
    /// number → 422 `validation_failed` on `limit`. An empty `cursor` means
    /// the first page; a cursor that cannot be decoded at all → 422 on
    /// `cursor` (its content is checked by [`Page::after`]).
    pub fn from_request(req: &Request) -> Result<Page, ApiError> {
        let limit = match req.query_param("limit") {
            None => DEFAULT_LIMIT,
            Some(raw) => parse_limit(raw.trim()).ok_or_else(|| {
                ApiError::invalid_field("limit", "must be a whole number from 1 to 100")
            })?,
        };
        let cursor = match req.query_param("cursor") {
            None | Some("") => None,
            Some(c) => {
                cursor_bytes(c)?;
                Some(c.to_owned())
            }
        };
        Ok(Page { limit, cursor })
    }

    /// How many rows to ask the store for: one more than `limit`, so that
    /// [`Page::paginate`] can tell whether another page follows.
    pub fn fetch_limit(&self) -> u32 {
        self.limit + 1
    }

    /// The key to resume after, decoded from the cursor (`None` on the first
    /// page). A cursor that does not decode to `K` → 422 on `cursor`.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, ApiError> {
        self.cursor.as_deref().map(decode_cursor).transpose()
    }

    /// Builds the page from up to [`Page::fetch_limit`] rows: keeps `limit`
    /// of them and, when there were more, makes `next_cursor` from the key of
    /// the last item kept.
    pub fn paginate<T, K: Serialize>(
        &self,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> K,
    ) -> Result<PageOf<T>, ApiError> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last()
                .map(|last| encode_cursor(&key(last)))
                .transpose()?
        } else {
            None
        };
        Ok(PageOf {
            items: rows,
            next_cursor,
        })
    }
}

fn parse_limit(raw: &str) -> Option<u32> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // All digits: only overflow can fail, and that is simply too large.
    let n: u32 = raw.parse().ok()?;
    (1..=MAX_LIMIT).contains(&n).then_some(n)
}

/// Encodes a cursor key as base64url (no padding) JSON.
///
/// Fails with 500 `internal` only if `key`'s `Serialize` fails, which plain
/// data (numbers, strings, tuples, derived structs) never does.
pub fn encode_cursor(key: &impl Serialize) -> Result<String, ApiError> {
    let json = serde_json::to_vec(key).map_err(ApiError::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// Decodes a cursor made by [`encode_cursor`]. Anything else (wrong
/// alphabet, padding, not JSON, JSON of another shape, too long) → 422
/// `validation_failed` on `cursor`.
pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> Result<K, ApiError> {
    let bytes = cursor_bytes(cursor)?;
    serde_json::from_slice(&bytes).map_err(|_| invalid_cursor())
}

fn cursor_bytes(cursor: &str) -> Result<Vec<u8>, ApiError> {
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(invalid_cursor());
    }
    URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid_cursor())
}

fn invalid_cursor() -> ApiError {
    ApiError::invalid_field(
        "cursor",
        "invalid or expired cursor; start again from the first page",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(query: &str) -> Result<Page, ApiError> {
        Page::from_request(&Request::from_uri("GET", &format!("/list?{query}")))
    }

    fn limit(query: &str) -> Option<u32> {
        page(query).ok().map(|p| p.limit)
    }

    fn field_error(result: Result<Page, ApiError>) -> Option<String> {
        let e = result.err()?;
        assert_eq!(e.status(), 422);
        e.fields().keys().next().cloned()
    }

    #[test]
    fn defaults_to_twenty_items() {
        assert_eq!(page(""), Ok(Page::default()));
        assert_eq!(limit(""), Some(20));
        assert_eq!(
            Page::from_request(&Request::from_uri("GET", "/list")).ok(),
            Some(Page::default())
        );
    }

    #[test]
    fn reads_limits_from_one_to_one_hundred() {
        assert_eq!(limit("limit=1"), Some(1));
        assert_eq!(limit("limit=50"), Some(50));
        assert_eq!(limit("limit=100"), Some(100));
        assert_eq!(limit("limit=007"), Some(7));
        assert_eq!(limit("limit=%20100%20"), Some(100));
    }

    #[test]
    fn refuses_limits_above_the_documented_maximum() {
        for q in [
            "limit=101",
            "limit=4294967296",
            "limit=99999999999999999999999",
        ] {
            assert_eq!(field_error(page(q)).as_deref(), Some("limit"), "{q}");
        }
    }

    #[test]
    fn rejects_zero_negative_and_non_numeric_limits() {
        for q in [
            "limit=0",
            "limit=-1",
            "limit=abc",
            "limit=",
            "limit=1.5",
            "limit=%2B5",
            "limit=1e3",
            "limit=٣",
        ] {
            assert_eq!(field_error(page(q)).as_deref(), Some("limit"), "{q}");
        }
    }

    #[test]
    fn round_trips_cursors() {
        let key = (1_767_225_600_i64, "doc_7".to_owned());
        let c = encode_cursor(&key).unwrap_or_default();
        assert!(c
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let back: (i64, String) = decode_cursor(&c).unwrap_or_default();
        assert_eq!(back, key);
    }

    #[test]
    fn rejects_garbage_cursors_without_panicking() {
        for c in [
            "!!!",
            "a",
            "====",
            "eyJ",
            "%00",
            "AAAA",
            &"A".repeat(10_000),
            "w4Hhu7E",
            "bnVsbA=",
        ] {
            let result = decode_cursor::<(i64, String)>(c);
            let err = result.err();
            assert_eq!(err.as_ref().map(ApiError::status), Some(422), "{c:?}");
            assert!(err.is_some_and(|e| e.fields().contains_key("cursor")));
        }
    }

    #[test]
    fn rejects_tampered_cursor_of_wrong_shape() {
        let forged = URL_SAFE_NO_PAD.encode(br#"{"admin":true}"#);
        let p = page(&format!("cursor={forged}"));
        let after = p.and_then(|p| p.after::<(i64, String)>());
        assert_eq!(after.err().map(|e| e.status()), Some(422));
    }

    #[test]
    fn rejects_undecodable_cursor_in_request() {
        assert_eq!(field_error(page("cursor=@@@")).as_deref(), Some("cursor"));
        assert_eq!(page("cursor=").ok().and_then(|p| p.cursor), None);
    }

    #[test]
    fn paginates_with_one_extra_row() -> Result<(), ApiError> {
        let p = Page {
            limit: 2,
            cursor: None,
        };
        assert_eq!(p.fetch_limit(), 3);
        let full = p.paginate(vec![1, 2, 3], |n| *n)?;
        assert_eq!(full.items, vec![1, 2]);
        let after: Option<i32> = Page {
            limit: 2,
            cursor: full.next_cursor.clone(),
        }
        .after()?;
        assert_eq!(after, Some(2));

        let last = p.paginate(vec![3], |n| *n)?;
        assert_eq!(last.next_cursor, None);
        let exact = p.paginate(vec![1, 2], |n| *n)?;
        assert_eq!(exact.next_cursor, None);
        Ok(())
    }

    #[test]
    fn serializes_page_with_null_next_cursor() {
        let last = PageOf {
            items: vec!["a"],
            next_cursor: None,
        };
        assert_eq!(
            serde_json::to_value(&last).ok(),
            Some(json!({"items":["a"],"next_cursor":null}))
        );
        let more = PageOf {
            items: Vec::<u8>::new(),
            next_cursor: Some("xyz".into()),
        };
        assert_eq!(
            serde_json::to_value(&more).ok(),
            Some(json!({"items":[],"next_cursor":"xyz"}))
        );
    }
}
